/**
 * `npm run docs`: generated/openapi.json -> docs/index.html, a single Redoc page that works offline
 * (`redocly build-docs --inlineBundle`: scripts, styles and the x-logo data URI are all inside the file).
 *
 * The source is the bundled spec in generated/ (kept in step with spec/ by `npm run generate`, checked in CI
 * by `generate:check`), because it is the one form of the spec whose example IDs are exact.
 *
 * Exact IDs. Redoc keeps the API description as parsed JSON and prints example values with JSON.stringify,
 * so an ID above 2^53 such as 1152921504621465124 reaches the page as 1152921504621465000, the defect of
 * Microsoft's own docs. Alternatives considered:
 * - IDs as plain JSON strings: printed exactly, but quoted, which shows the wrong wire type, and a copied
 *   request example would then fail the request schemas (IDs are integers).
 * - Examples as raw JSON text: Redoc 3 parses a string example of an application/json body with JSON.parse
 *   before printing it, so the digits are lost all the same.
 * - Rewriting the rendered HTML: the page is hydrated by React, which re-renders example panels from the
 *   parsed description (switching examples, expanding nodes), so a one-off rewrite does not last.
 * What we do: this docs-only transform writes every integer that a double cannot hold as the string
 * `__hwdash_exact_integer__:<digits>` (the marker scripts/generate.ts uses for the same purpose), and the page
 * template (docs/template.hbs) wraps JSON.stringify so that such a string prints as its bare digits. Redoc
 * then shows `"id": 1152921504621465124` in example panels, request samples and copied text. Its server-side
 * pre-render runs in this process without that wrapper, so the same replacement is applied to the
 * pre-rendered markup here; both renders then agree and hydration has nothing to correct.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const specFile = join(root, 'generated', 'openapi.json');
const template = join(root, 'docs', 'template.hbs');
const redocly = join(root, 'node_modules', '.bin', 'redocly');
export const docsFile = join(root, 'docs', 'index.html');

const MARKER = '__hwdash_exact_integer__:';
const pageTitle = 'Hardware Dev Center API · hwdash';

/** Parses the bundled spec with every integer above 2^53 turned into a marker string (see the file comment). */
export function markUnsafeIntegers(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) && context?.source
      ? `${MARKER}${context.source}`
      : value,
  );
}

/**
 * Applies the page's JSON.stringify rule to the server-side pre-render: React escapes the quotes of the
 * stringified marker as `&quot;`. The hydration script (the embedded description) keeps its markers.
 */
function unmarkPrerender(html: string): string {
  const start = html.indexOf('<div id="redoc">');
  const end = html.indexOf('<script type="module">', start);
  if (start < 0 || end < 0) throw new Error('unexpected build-docs output: no pre-rendered #redoc element');
  const markup = html
    .slice(start, end)
    .replace(new RegExp(`(?:&quot;|")${MARKER}(-?\\d+)(?:&quot;|")`, 'g'), '$1');
  if (markup.includes(MARKER)) {
    // A marker printed some other way than through JSON.stringify would be visible on the page.
    throw new Error(`pre-rendered docs still contain ${MARKER}: Redoc printed an ID without JSON.stringify`);
  }
  return html.slice(0, start) + markup + html.slice(end);
}

/**
 * Redoc's "API docs by Redocly" attribution loads its logo from cdn.redoc.ly once the page is running, the one
 * request the page would make to the network (and a console error offline). The attribution stays, drawn as an
 * inline SVG wordmark instead.
 */
function inlineAttributionLogo(html: string): string {
  const wordmark = (text: string, width: number): string =>
    'data:image/svg+xml,' +
    encodeURIComponent(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="16" viewBox="0 0 ${width} 16">` +
        `<text x="0" y="12" font-family="sans-serif" font-size="12" font-weight="700" fill="#0044d4">${text}</text></svg>`,
    );
  const logos = new Map([
    ['https://cdn.redoc.ly/redoc/logo-mini-full.svg', wordmark('Redocly', 52)],
    ['https://cdn.redoc.ly/redoc/logo-mini.svg', wordmark('R', 10)],
  ]);
  let result = html;
  for (const [url, dataUri] of logos) {
    if (!result.includes(url)) throw new Error(`Redoc no longer loads ${url}: review inlineAttributionLogo()`);
    result = result.replaceAll(url, dataUri);
  }
  return result;
}

export async function buildDocs(output = docsFile): Promise<{ file: string; bytes: number }> {
  const work = await mkdtemp(join(tmpdir(), 'hwdash-docs-'));
  try {
    const input = join(work, 'openapi.json');
    const rendered = join(work, 'index.html');
    await writeFile(input, JSON.stringify(markUnsafeIntegers(await readFile(specFile, 'utf8'))));
    await promisify(execFile)(
      redocly,
      [
        'build-docs',
        input,
        '--inlineBundle',
        `--template=${template}`,
        `--title=${pageTitle}`,
        // The download button would offer the marker-carrying description; the exact one is generated/openapi.json.
        '--openapi.hideDownloadButtons=true',
        // Examples fully expanded, so that every ID in them is on the page without a click.
        '--openapi.jsonSamplesExpandLevel=all',
        `--output=${rendered}`,
      ],
      {
        cwd: root,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const html = inlineAttributionLogo(unmarkPrerender(await readFile(rendered, 'utf8')));
    await mkdir(dirname(output), { recursive: true });
    await writeFile(output, html);
    return { file: output, bytes: Buffer.byteLength(html) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildDocs()
    .then(({ file, bytes }) => console.log(`wrote ${relative(root, file)} (${Math.round(bytes / 1024)} KiB)`))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
