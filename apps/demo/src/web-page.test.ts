// The React page in headless Chromium: the user is set on login, cleared on logout, and the
// page's errors reach the collector through the real @sentry/react client.
import { launchChromium, waitUntil } from '@kira/test-utils';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDemoStack, type DemoStack } from './demo-stack';
import { queryCollector } from './summary';

let stack: DemoStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startDemoStack();
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function browserEvents(): Promise<Array<{ user?: { id?: string; email?: string; username?: string }; exception?: { values?: Array<{ value?: string }> } }>> {
  const rows = await queryCollector(stack.collectorUrl, "SELECT raw FROM sentry_events WHERE project = '2' AND type = 'event' ORDER BY dt", {
    start: new Date(Date.now() - 3_600_000),
    end: new Date(Date.now() + 60_000),
  });
  return rows.map((row) => JSON.parse(String(row.raw)));
}

it('sets the user after login, clears it after logout, and reports the thrown error', async () => {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(stack.serviceUrl);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('logged in as web-user-7').waitFor();

  await page.getByRole('button', { name: 'Throw an error' }).click();
  await waitUntil(async () => (await browserEvents()).length >= 1, 20_000, 'the first browser error to reach the collector');
  const [loggedIn] = await browserEvents();
  expect(loggedIn!.user).toMatchObject({ id: 'web-user-7', email: 'web7@example.com', username: 'Seven' });
  expect(loggedIn!.exception?.values?.[0]?.value).toContain('Demo button error (web-user-7)');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('logged out').waitFor();
  await page.getByRole('button', { name: 'Throw an error' }).click();
  await waitUntil(async () => (await browserEvents()).length >= 2, 20_000, 'the second browser error to reach the collector');
  const loggedOut = (await browserEvents())[1]!;
  expect(loggedOut.exception?.values?.[0]?.value).toContain('Demo button error (anonymous)');
  expect(loggedOut.user?.id).toBeUndefined();
  expect(pageErrors.filter((message) => !message.includes('Demo button error'))).toEqual([]);
  await page.close();
}, 90_000);
