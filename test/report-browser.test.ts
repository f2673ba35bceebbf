/**
 * Opens report.html (built from the hand fixture) in Debian's headless Chromium through
 * playwright-core: no console errors, no network request, every chart drawn at a non-zero size,
 * nothing wider than an A4 page when printed. Saves a screenshot and an A4 PDF under
 * test-output/report-browser/. Chromium is installed by .ci/run; no browser is downloaded.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { fixtureContext } from './report-fixture.js';
import { planCharts, loadReportData, renderReport } from '../src/report/index.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../test-output/report-browser/', import.meta.url));
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let browser: BrowserContext;
let page: Page;
let userDataDir: string;
let chartIds: string[];
const errors: string[] = [];
const external: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `report-browser test: Chromium not found at ${CHROMIUM}. Install Debian's chromium ` +
        '(apt-get update && apt-get install -y chromium; .ci/run does this). This test never downloads a browser.',
    );
  }
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const ctx = await fixtureContext({ breakdowns: true }, path.join(OUT, 'run'));
  mkdirSync(ctx.outDir, { recursive: true });
  try {
    await renderReport(ctx);
    chartIds = planCharts(await loadReportData(ctx), ctx.contract.follow_up.months).charts.map((c) => c.id);
  } finally {
    ctx.db.close();
  }
  userDataDir = mkdtempSync(path.join(os.tmpdir(), 'pbr-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1100, height: 900 },
  });
  await browser.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    external.push(url);
    return route.abort();
  });
  page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(pathToFileURL(path.join(OUT, 'run', 'report.html')).href, { waitUntil: 'load' });
});

afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

describe('report.html in headless Chromium', () => {
  test('loads with no console error and no network request', () => {
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
  });

  test('every chart is rendered at a non-zero size', async () => {
    const sizes = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
        return { id: f.getAttribute('data-chart'), w: r.width, h: r.height };
      }),
    );
    expect(sizes.map((s) => s.id)).toEqual(chartIds);
    for (const s of sizes) {
      expect(s.w, s.id ?? '').toBeGreaterThan(100);
      expect(s.h, s.id ?? '').toBeGreaterThan(50);
    }
  });

  test('has a language, one h1, landmarks and a caption for every table', async () => {
    const a = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      h1: document.querySelectorAll('h1').length,
      main: document.querySelectorAll('main').length,
      nav: document.querySelectorAll('nav').length,
      tablesWithoutCaption: [...document.querySelectorAll('table')].filter((t) => !t.querySelector('caption')).length,
    }));
    expect(a).toEqual({ lang: 'en-GB', h1: 1, main: 1, nav: 1, tablesWithoutCaption: 0 });
  });

  test('saves a full-page screenshot', async () => {
    const file = path.join(OUT, 'report.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });

  test('prints on A4 without anything wider than the page', async () => {
    await page.emulateMedia({ media: 'print' });
    // A4 (210 mm) less 2 x 12 mm margins = 186 mm = 703 CSS px.
    await page.setViewportSize({ width: 703, height: 1000 });
    const overflow = await page.evaluate(() => {
      const w = document.documentElement.clientWidth;
      return [...document.querySelectorAll('figure svg, table, h1, h2, p')]
        .filter((e) => e.getBoundingClientRect().right > w + 1)
        .map((e) => `${e.tagName} ${e.closest('[id]')?.id ?? ''}`);
    });
    expect(overflow).toEqual([]);
    const pdf = path.join(OUT, 'report.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    expect(statSync(pdf).size).toBeGreaterThan(10_000);
  });
});
