/**
 * Opens report.html and the publication pack (built from the hand fixture, with stub statement
 * files so that links can be followed) in Debian's headless Chromium through playwright-core: no
 * console errors, no network request, every chart drawn at a non-zero size, every link resolving;
 * printed on A4, no text overlaps another, no table text below 8 pt, each area of the pack on its
 * own pages. Saves a screenshot and the PDFs under test-output/report-browser/. Chromium is
 * installed by .ci/run; no browser is downloaded. One browser launch for the whole file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { doneWith } from './helpers/db.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { fixtureContext, writeStatementFiles } from './report-fixture.js';
import { planCharts, loadReportData, renderReport } from '../src/report/index.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../test-output/report-browser/', import.meta.url));
const RUN = path.join(OUT, 'run');
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
/** A4 (210 mm) less 2 x 12 mm margins = 186 mm = 703 CSS px. */
const PRINT_WIDTH = 703;

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
  mkdirSync(RUN, { recursive: true });
  const ctx = await fixtureContext({ breakdowns: true }, RUN);
  writeStatementFiles(RUN, ['index.html', 'CPA01_2015Q4.html', 'CPA01_2016Q1.html', 'CPA01_2016Q2.html', 'CPA02_2015Q4.html', 'CPA02_2016Q1.html', 'CPA01_2015-12.html', 'CPA01_contract_years.html']);
  try {
    await renderReport(ctx, { focus: '2016Q1' });
    chartIds = planCharts(await loadReportData(ctx), ctx.contract.follow_up.months).charts.map((c) => c.id);
  } finally {
    doneWith(ctx.db);
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
});

afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

const open = async (file: string, media: 'screen' | 'print' = 'screen') => {
  await page.emulateMedia({ media });
  await page.setViewportSize(media === 'print' ? { width: PRINT_WIDTH, height: 1000 } : { width: 1100, height: 900 });
  await page.goto(pathToFileURL(path.join(RUN, file)).href, { waitUntil: 'load' });
};

/**
 * Text boxes that overlap on the laid-out page: every line box of every text node outside the
 * charts, and every list item's box with its marker (a marker is no text node), compared pairwise.
 */
function overlaps(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    interface Box { x: number; y: number; r: number; b: number; t: string; li: Element | null; node: Node }
    const boxes: Box[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent?.trim() || n.parentElement?.closest('svg')) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const b of range.getClientRects()) {
        if (b.width > 0.5 && b.height > 0.5) boxes.push({ x: b.left, y: b.top + scrollY, r: b.right, b: b.bottom + scrollY, t: n.textContent.trim().slice(0, 40), li: null, node: n });
      }
    }
    for (const li of document.querySelectorAll('li')) {
      const b = li.getBoundingClientRect();
      // an outside marker ('12.') sits left of the box: about 1.5 em of the list's padding
      const cs = getComputedStyle(li);
      const marker = cs.display === 'list-item' && cs.listStyleType !== 'none' ? 1.5 * parseFloat(cs.fontSize) : 0;
      boxes.push({ x: b.left - marker, y: b.top + scrollY, r: b.right, b: b.bottom + scrollY, t: `li ${li.textContent?.trim().slice(0, 30)}`, li, node: li });
    }
    boxes.sort((a, b) => a.y - b.y);
    const hits: string[] = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length && boxes[j]!.y < boxes[i]!.b; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        // a list item contains its own text
        if ((a.li && a.li.contains(b.node)) || (b.li && b.li.contains(a.node))) continue;
        const ox = Math.min(a.r, b.r) - Math.max(a.x, b.x);
        const oy = Math.min(a.b, b.b) - Math.max(a.y, b.y);
        if (ox > 1 && oy > 1) hits.push(`'${a.t}' overlaps '${b.t}'`);
      }
    }
    return hits;
  });
}

/** The smallest font size (pt) of any table text: captions, headers and cells. */
function smallestTablePt(p: Page): Promise<number> {
  return p.evaluate(() => Math.min(...[...document.querySelectorAll('table caption, table th, table td, table td *, table th *')]
    .map((e) => (parseFloat(getComputedStyle(e).fontSize) * 72) / 96)));
}

/** Every link of the open page: files must exist, in-page anchors must name an element. */
async function brokenLinks(file: string): Promise<string[]> {
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')!));
  const broken: string[] = [];
  const base = path.dirname(path.join(RUN, file));
  for (const h of [...new Set(hrefs)]) {
    const [f, anchor] = h.split('#') as [string, string | undefined];
    const target = f === '' ? path.join(RUN, file) : path.resolve(base, f);
    if (!existsSync(target)) {
      broken.push(h);
      continue;
    }
    if (anchor) {
      const html = readFileSync(target, 'utf8');
      if (!html.includes(`id="${anchor}"`)) broken.push(h);
    }
  }
  return broken;
}

describe('report.html in headless Chromium', () => {
  beforeAll(() => open('report.html'));

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

  test('every link leads to a file of the run folder or an element of the page', async () => {
    expect(await brokenLinks('report.html')).toEqual([]);
    // and following one in the browser opens the statement
    await page.click('a[href="statements/CPA01_2015Q4.html"] >> nth=0');
    expect(page.url()).toBe(pathToFileURL(path.join(RUN, 'statements', 'CPA01_2015Q4.html')).href);
    await open('report.html');
  });

  test('saves a full-page screenshot', async () => {
    const file = path.join(OUT, 'report.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });

  test('prints on A4: nothing wider than the page, no text over other text, tables at 8 pt or more', async () => {
    await open('report.html', 'print');
    const overflow = await page.evaluate(() => {
      const w = document.documentElement.clientWidth;
      return [...document.querySelectorAll('figure svg, table, h1, h2, p, li')]
        .filter((e) => e.getBoundingClientRect().right > w + 1)
        .map((e) => `${e.tagName} ${e.closest('[id]')?.id ?? ''}`);
    });
    expect(overflow).toEqual([]);
    expect(await overlaps(page)).toEqual([]);
    expect(await smallestTablePt(page)).toBeGreaterThanOrEqual(8);
    const pdf = path.join(OUT, 'report.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    expect(statSync(pdf).size).toBeGreaterThan(10_000);
  });
});

describe('the publication pack in headless Chromium', () => {
  test('loads with no console error, and every link resolves', async () => {
    await open('pack/index.html');
    expect(errors).toEqual([]);
    expect(await brokenLinks('pack/index.html')).toEqual([]);
  });

  test('printed: one section per area, each starting a new page', async () => {
    await open('pack/index.html', 'print');
    const pages = await page.$$eval('section.page', (ss) => ss.map((s) => ({ id: s.id, brk: getComputedStyle(s).breakBefore })));
    // fixture: three areas, North, South, West.
    expect(pages).toEqual([
      { id: 'page-area-CPA01', brk: 'page' }, { id: 'page-area-CPA02', brk: 'page' }, { id: 'page-area-CPA03', brk: 'page' },
    ]);
  });

  test('printed: nothing wider than the page, no text over other text, tables at 8 pt or more with repeated headers', async () => {
    await open('pack/index.html', 'print');
    const wide = await page.evaluate(() => [...document.querySelectorAll('table, figure svg, p, h2')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length);
    expect(wide).toBe(0);
    expect(await overlaps(page)).toEqual([]);
    expect(await smallestTablePt(page)).toBeGreaterThanOrEqual(8);
    const heads = await page.$$eval('thead', (hs) => [...new Set(hs.map((h) => getComputedStyle(h).display))]);
    expect(heads).toEqual(['table-header-group']);
  });

  test('the A4 PDF has a page per area beyond the summary pages', async () => {
    await open('pack/index.html', 'print');
    const pdf = path.join(OUT, 'pack.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    // Chromium writes each page as a '/Type /Page' object (the page tree is '/Type /Pages').
    const pages = (readFileSync(pdf, 'latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(1 + 3);
  });
});
