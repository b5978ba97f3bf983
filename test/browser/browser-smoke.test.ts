/**
 * Proves the browser tests can run here: Debian's Chromium starts through playwright-core,
 * loads a page from a local server, runs its script on a click, and the request log sees
 * exactly the requests the page made.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>smoke</title></head>
<body>
  <button id="go" type="button">Go</button>
  <p id="out"></p>
  <script>
    document.getElementById('go').addEventListener('click', () => {
      document.getElementById('out').textContent = 'clicked ' + (1 + 1);
    });
  </script>
</body></html>`;

describe('browser smoke', () => {
  let server: Server;
  let origin: string;
  let tb: TestBrowser;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    tb = await launchBrowser();
  });

  afterAll(async () => {
    await tb?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('loads a local page, clicks a button and sees the script run', async () => {
    const page = await tb.newPage();
    await page.goto(`${origin}/`);
    await expect(page.title()).resolves.toBe('smoke');
    await page.click('#go');
    await page.locator('#out', { hasText: 'clicked 2' }).waitFor({ timeout: 5_000 });
    expect(await page.textContent('#out')).toBe('clicked 2');
    expect(tb.requests.every((url) => url.startsWith(`${origin}/`))).toBe(true);
    expect(tb.requests).toContain(`${origin}/`);
  });
});
