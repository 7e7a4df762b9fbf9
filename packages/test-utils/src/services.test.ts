import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { launchChromium } from './launch-chromium';
import { waitUntil } from './wait-until';
import { enableRuleCases } from './enable-rule-cases';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('launchChromium', () => {
  it('opens a page served by a local server and reads its title', async () => {
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Kira test page</title><p id="x">ok</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(await page.title()).toBe('Kira test page');
  });
});

describe('waitUntil', () => {
  it('waitUntil resolves once the condition holds and names what it waited for on timeout', async () => {
    let calls = 0;
    await waitUntil(() => ++calls >= 3, 1000);
    expect(calls).toBe(3);
    await expect(waitUntil(() => Promise.resolve(false), 50, 'the moon')).rejects.toThrow(/the moon/);
  });
});

describe('enableRuleCases', () => {
  it('covers every branch of the rule with unique names', () => {
    expect(new Set(enableRuleCases.map((rule) => rule.name)).size).toBe(enableRuleCases.length);
    expect(enableRuleCases.some((rule) => rule.env.OTEL_SDK_DISABLED === 'TRUE' && !rule.enabled)).toBe(true);
    expect(enableRuleCases.some((rule) => rule.env.KIRA_TELEMETRY === 'maybe')).toBe(true);
    expect(enableRuleCases.some((rule) => rule.option === false && rule.env.NODE_ENV === 'production' && !rule.enabled)).toBe(true);
  });
});
