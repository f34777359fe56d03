/**
 * The HTML compliance report in real headless Chromium: it renders without JavaScript, the SVG charts are there, a
 * hostile scope description stays text (no dialog, no script, no image), and the page makes no request at all.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioWorkspace, scopeguard, type ScenarioWorkspace } from '../usage/helpers.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
// a description with no place to break a line: it must wrap, not widen the page
const UNBROKEN = 'x'.repeat(600);

describe('HTML compliance report in Chromium', () => {
  let ws: ScenarioWorkspace;
  let browser: Browser;
  let htmlFile: string;

  beforeAll(async () => {
    ws = await scenarioWorkspace();
    const scopes = join(ws.dir, 'scopes', 'scenario', 'scopes.yaml');
    // admin.users is granted to over-scoped-app and never used, so its description shows in the least-privilege table
    writeFileSync(scopes, readFileSync(scopes, 'utf8').replace('description: admin.users for the scenario', `description: "${HOSTILE}<script>alert(2)</script>${UNBROKEN}"`));
    for (const now of ['2026-11-01', '2026-11-25']) {
      const run = scopeguard(['report', '--db', 'audit.duckdb', '--now', now, '--format', 'html'], ws.dir);
      expect(run.status, run.stderr).toBe(0);
    }
    htmlFile = join(ws.dir, 'reports', 'scenario', '2026-11-25', 'report.html');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders with charts, keeps hostile text inert and requests nothing', async () => {
    const context = await browser.newContext({ javaScriptEnabled: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    const requests: string[] = [];
    const url = pathToFileURL(htmlFile).href;
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('request', (request) => {
      if (request.url() !== url) requests.push(request.url());
    });
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(300);

    expect(await page.title()).toBe('scopeguard compliance report: scenario 2026-11-25');
    expect(await page.locator('#verdict').textContent()).toBe('FAIL');
    // two charts with drawn bars: findings over the two stored reports, and granted vs exercised per client
    expect(await page.locator('svg#chart-findings-over-time rect').count()).toBeGreaterThan(5);
    expect(await page.locator('svg#chart-least-privilege rect').count()).toBeGreaterThan(20);
    const box = await page.locator('svg#chart-findings-over-time').boundingBox();
    expect(box!.width).toBeGreaterThan(100);

    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    const text = await page.locator('#least-privilege').innerText();
    expect(text).toContain(`${HOSTILE}<script>alert(2)</script>`);
    // long unbroken text wraps inside its cell: the page is no wider than the window
    // evaluated in the page, where the DOM is (the project's TypeScript has no DOM types)
    const widths = await page.evaluate<{ page: number; window: number }>('({ page: document.documentElement.scrollWidth, window: window.innerWidth })');
    expect(widths.page).toBeLessThanOrEqual(widths.window);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    await context.close();
  });

  it('reads the same without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(pathToFileURL(htmlFile).href);
    expect(await page.locator('h2').allInnerTexts()).toEqual([
      'Trend',
      'Registry changes since the previous report',
      'Least privilege per client',
      'Usage findings',
      'Registry findings',
      'Waived findings',
    ]);
    expect(await page.locator('.finding[data-rule="SG306"]').innerText()).toContain('0oaSHADOW306');
    await context.close();
  });
});
