/**
 * The Redoc page as a person sees it: built by `npm run docs`' own code, opened from disk in real headless
 * Chromium (Debian's package, see scripts/ensure-chromium.sh) with every request that is not file: or data:
 * refused, so the page must work offline.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { buildDocs } from '../../scripts/build-docs.js';
import { operations } from '../../generated/operations.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'test-output');
const builtPage = join(outDir, 'docs', 'index.html');
const SEED_SUBMISSION_ID = '1152921504621465124';

/** Every integer literal a double cannot hold, as written in an example's exact JSON text. */
function unsafeIntegers(jsonText: string | null): string[] {
  return [...(jsonText ?? '').matchAll(/(?<![\d."])-?\d{16,}(?![\d."])/g)]
    .map((m) => m[0])
    .filter((digits) => !Number.isSafeInteger(Number(digits)));
}

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync(join(root, 'scripts', 'ensure-chromium.sh'), { encoding: 'utf8' }).trim();
}

let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const networkAttempts: string[] = [];
let summaries: Map<string, string>;

beforeAll(async () => {
  await mkdir(outDir, { recursive: true });
  await buildDocs(builtPage);
  const spec = JSON.parse(await readFile(join(root, 'generated', 'openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string; summary?: string }>>;
  };
  summaries = new Map(
    Object.values(spec.paths).flatMap((item) =>
      Object.values(item).flatMap((op) => (op?.operationId && op.summary ? [[op.operationId, op.summary] as const] : [])),
    ),
  );

  browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: ['--headless', '--no-sandbox'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('file:') || url.startsWith('data:')) return void request.continue();
    networkAttempts.push(url);
    void request.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.goto(pathToFileURL(builtPage).href, { waitUntil: 'load' });
});

afterAll(async () => {
  await browser?.close();
});

/**
 * Goes to an operation through Redoc's legacy `#operation/<id>` link (the one the spec's prose uses), and waits
 * until its title is visible and the page shows the `expected` texts (Redoc renders the example panel after the
 * title). Returns the page's text; a text that never appears is left for the test's assertion to report.
 */
async function openOperation(operationId: string, summary: string, expected: readonly string[] = []): Promise<string> {
  await page.evaluate((id) => {
    window.location.hash = `operation/${id}`;
  }, operationId);
  await page.waitForFunction(
    (title, texts) => {
      const titled = [...document.querySelectorAll('h1, h2')].some((h) => {
        const box = h.getBoundingClientRect();
        return h.textContent?.trim() === title && box.width > 0 && box.height > 0;
      });
      return titled && texts.every((text) => document.body.innerText.includes(text));
    },
    { timeout: 120_000 },
    summary,
    expected,
  ).catch(() => undefined);
  return page.evaluate(() => document.body.innerText);
}

describe('the API docs page (docs/index.html) in headless Chromium, offline', () => {
  it('renders the introduction, authentication and signing workflow with the logo, and no errors', async () => {
    const text = await page.evaluate(() => document.body.innerText);
    expect(await page.title()).toBe('Hardware Dev Center API · hwdash');
    for (const heading of ['Introduction', 'Authentication', 'The signing workflow', 'Exact 64-bit IDs']) {
      expect(text).toContain(heading);
    }
    expect(text).toContain('client credentials');
    expect(text).toContain('https://manage.devcenter.microsoft.com/.default');
    const logo = await page.$eval('img[alt="hwdash"]', (img) => ({
      src: img.getAttribute('src') ?? '',
      loaded: img.complete && img.naturalWidth > 0,
    }));
    expect(logo.src.startsWith('data:image/svg+xml')).toBe(true);
    expect(logo.loaded).toBe(true);
    expect(consoleErrors).toEqual([]);
    expect(networkAttempts).toEqual([]);
  });

  it("shows every operation's summary, and every example ID exactly", async () => {
    expect(summaries.size).toBe(operations.length);
    for (const operation of operations) {
      const summary = summaries.get(operation.operationId);
      expect(summary).toBeDefined();
      const ids = unsafeIntegers(operation.responseExample);
      const text = await openOperation(operation.operationId, summary!, ids);
      expect(text).toContain(summary!);
      const missing = ids.filter((id) => !text.includes(id));
      expect({ operation: operation.operationId, missing }).toEqual({ operation: operation.operationId, missing: [] });
      expect(text).not.toContain('__hwdash_exact_integer__');
    }
    expect(consoleErrors).toEqual([]);
    expect(networkAttempts).toEqual([]);
  });

  it('shows the seed submission ID 1152921504621465124 exactly and never rounded', async () => {
    const text = await openOperation('createSubmission', summaries.get('createSubmission')!, [`"id": ${SEED_SUBMISSION_ID}`]);
    expect(text).toContain(`"id": ${SEED_SUBMISSION_ID}`);
    const html = await page.content();
    for (const rounded of [String(Number(SEED_SUBMISSION_ID)), '1152921504621465100', '1152921504621465000', '1152921504621465120']) {
      expect(rounded).not.toBe(SEED_SUBMISSION_ID);
      expect(html).not.toContain(rounded);
    }
    // The screenshot shows the response example with the exact ID.
    await page.evaluate((id) => {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.nodeValue?.trim() === id && node.parentElement?.closest('script') == null) {
          node.parentElement?.scrollIntoView({ block: 'center' });
          return;
        }
      }
    }, SEED_SUBMISSION_ID);
    await page.screenshot({ path: join(outDir, 'docs.png') });
    expect(consoleErrors).toEqual([]);
  });
});
