/**
 * Builds the sample driver package, examples/out/sample-driver.cab, from examples/sample-driver/: the driver files in
 * a `sample-driver/` subfolder of the cabinet, as attestation requires. The output is byte-for-byte the same on every
 * run (sorted files, fixed timestamps), so its bundle ID in the sandbox's driver metadata is stable too.
 *
 *   npx tsx scripts/build-example-package.ts [--out path/to/package.cab]
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeCab, type CabWriterEntry } from '../test/support/cab-writer.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLE_DRIVER_FOLDER = join(ROOT, 'examples', 'sample-driver');
export const DEFAULT_OUT = join(ROOT, 'examples', 'out', 'sample-driver.cab');
/** The folder the driver files go into inside the cabinet. */
const CAB_FOLDER = 'sample-driver';
/** The sample INF's DriverVer date, stored as every file's time. */
const FILE_TIME = new Date(Date.UTC(2025, 2, 14));

/** Builds the sample package at `outPath` and says what went into it. */
export async function buildExamplePackage(outPath: string = DEFAULT_OUT): Promise<{ path: string; files: string[] }> {
  const names = (await readdir(SAMPLE_DRIVER_FOLDER, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  const entries: CabWriterEntry[] = [];
  for (const name of names) entries.push({ path: `${CAB_FOLDER}/${name}`, bytes: await readFile(join(SAMPLE_DRIVER_FOLDER, name)) });
  await mkdir(dirname(outPath), { recursive: true });
  await writeCab(outPath, entries, { compression: 'mszip', modified: FILE_TIME });
  return { path: outPath, files: entries.map((entry) => entry.path) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const built = await buildExamplePackage(values.out ? resolve(values.out) : DEFAULT_OUT);
  process.stdout.write(`${built.path}\n${built.files.map((file) => `  ${file}`).join('\n')}\n`);
}
