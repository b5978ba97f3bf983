/**
 * Debian's Chromium driven by playwright-core, for the browser tests. Headless, no sandbox
 * (CI runs as root), nothing of Chromium's own calling home (background networking, component
 * updates, sync), so the request log holds only what the pages asked for: every request of
 * every page opened through `newPage()` is appended to `requests`.
 */
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  browser: Browser;
  /** A page in a fresh context (own cookies), its requests logged. */
  newPage(): Promise<Page>;
  /** Every request URL of every page (frames included), in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const requests: string[] = [];
  return {
    browser,
    requests,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.on('request', (request) => {
        requests.push(request.url());
      });
      return page;
    },
    async close() {
      await browser.close();
    },
  };
}
