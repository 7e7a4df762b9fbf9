import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless system Chromium through playwright-core (no browser download): /usr/bin/chromium or
 * CHROMIUM_PATH, a fresh temporary profile per launch. Close the browser in the test's cleanup.
 * Example: `const browser = await launchChromium(); const page = await browser.newPage()`
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}; install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH`);
  }
  // launch() (not launchPersistentContext) gives every browser its own throwaway user-data-dir.
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs, timeout: 30_000 });
}
