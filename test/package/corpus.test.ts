/**
 * The outside run as a test: every vendored public INF/INX (test/fixtures/inf) is packed by Debian's gcab (stored and
 * MSZIP) and zip, as it is in the repository, as a WDK build would stamp it, re-encoded as UTF-16LE with a BOM and with
 * CRLF or LF line ends. Each folder of the corpus is one driver folder, and a package holds several of them, each in
 * its own subfolder as the attestation docs ask ("each driver package must be in a separate subfolder"); packing
 * several per package keeps the number of gcab runs, which cost 20 to 60 ms each, within reason. preflightPackage and
 * driverMetadataFromPackage then run on every package.
 *
 * - 0 crashes: every failure is a named PackageFormatError or a preflight problem, never another exception.
 * - 0 refusals of a valid package: every stamped package passes preflight and yields driver metadata, the same
 *   metadata whatever its encoding, line ends or container.
 * - The packages made from unstamped sources are refused for exactly one reason, named by its rule: the INFs whose
 *   [Version] has no DriverVer value (`driver-ver-missing`), found here without hwdash's parser.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driverMetadataFromPackage, type DriverMetadata } from '../../src/package/driver-metadata.js';
import { PackageFormatError } from '../../src/package/package-format-error.js';
import { preflightPackage, type PreflightResult } from '../../src/package/preflight.js';
import {
  SOURCES,
  buildPackage,
  chunks,
  corpusFolders,
  corpusText,
  driverFolderName,
  encode,
  ensureDebianPackages,
  lacksDriverVer,
  mapLimited,
  stamp,
  type Container,
  type CorpusFolder,
  type Encoding,
} from '../support/inf-corpus.js';

interface Variant {
  name: string;
  container: Container;
  /** Absent: the vendored bytes as they are (unstamped). */
  encoding?: Encoding;
}

/** Each container meets stamped text once, and the sources as they are go through MSZIP. */
const VARIANTS: readonly Variant[] = [
  { name: 'source', container: 'gcab-mszip' },
  { name: 'utf16', container: 'gcab-stored', encoding: 'utf16le-bom-crlf' },
  { name: 'crlf', container: 'gcab-mszip', encoding: 'utf8-crlf' },
  { name: 'lf', container: 'zip', encoding: 'utf8-lf' },
];
/** Driver folders per package. */
const FOLDERS_PER_PACKAGE = 8;
const WARNING_RULES = new Set(['cab-signed', 'harness-type', 'inf-version', 'inf-syntax', 'inf-not-driver']);
/** Per source: how many INF/INX files the corpus holds (test/fixtures/inf/README.md says the same). */
const EXPECTED_FILES: Record<string, number> = { 'windows-driver-samples': 138, 'virtio-win': 21 };

interface Outcome {
  variant: Variant;
  preflight?: PreflightResult;
  metadata?: DriverMetadata;
  metadataError?: PackageFormatError;
  crash?: string;
}

let workDir: string;
const tally = { files: 0, folders: 0, packages: {} as Record<string, number>, crashes: 0, refusedValid: 0, unstamped: 0, namedDriverVer: 0 };
beforeAll(async () => {
  await ensureDebianPackages('gcab', 'zip');
  workDir = await mkdtemp(join(tmpdir(), 'hwdash-corpus-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
  console.log(`INF corpus run: ${JSON.stringify(tally)}`);
});

/** The driver folders of one package, each under its own subfolder name. */
type PackageFolders = readonly { folder: CorpusFolder; subfolder: string }[];

async function runVariant(name: string, folders: PackageFolders, variant: Variant): Promise<Outcome> {
  const entries = folders.flatMap(({ folder, subfolder }) =>
    folder.files.map((file) => ({
      path: `${subfolder}/${file.packageName}`,
      bytes: variant.encoding ? encode(stamp(corpusText(file.bytes)), variant.encoding) : file.bytes,
    })),
  );
  const path = await buildPackage(workDir, `${name}-${variant.name}`, variant.container, entries);
  tally.packages[variant.container] = (tally.packages[variant.container] ?? 0) + 1;
  const outcome: Outcome = { variant };
  try {
    outcome.preflight = await preflightPackage(path);
  } catch (error) {
    outcome.crash = `preflightPackage threw ${String(error)}`;
    return outcome;
  }
  try {
    outcome.metadata = await driverMetadataFromPackage(path);
  } catch (error) {
    if (error instanceof PackageFormatError) outcome.metadataError = error;
    else outcome.crash = `driverMetadataFromPackage threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  return outcome;
}

/** What each INF of the package must give: its package path, and whether it is unstamped or no driver at all. */
function expectations(folders: PackageFolders): { path: string; name: string; unstamped: boolean; driver: boolean }[] {
  return folders.flatMap(({ folder, subfolder }) =>
    folder.files.map((file) => {
      const text = corpusText(file.bytes);
      return { path: `${subfolder}/${file.packageName}`, name: file.packageName, unstamped: lacksDriverVer(text), driver: /^\s*\[Version\]/im.test(text) };
    }),
  );
}

/** What is wrong with one package's outcomes, as readable lines (empty when all is as expected). */
function judge(label: string, folders: PackageFolders, outcomes: readonly Outcome[]): string[] {
  const failures: string[] = [];
  const infs = expectations(folders);
  const unstamped = infs.filter((inf) => inf.unstamped).map((inf) => `inf-version/driver-ver-missing ${inf.path}`);
  // InfInfoMap keys are INF names, or package paths where two driver INFs of the package share a name.
  const drivers = infs.filter((inf) => inf.driver);
  const keys = drivers
    .map((inf) => (drivers.filter((other) => other.name.toLowerCase() === inf.name.toLowerCase()).length > 1 ? inf.path : inf.name))
    .sort();
  let firstStamped: string | undefined;
  for (const { variant, preflight, metadata, metadataError, crash } of outcomes) {
    const where = `${label} [${variant.name}, ${variant.container}]`;
    if (crash || !preflight) {
      tally.crashes++;
      failures.push(`${where}: ${crash}`);
      continue;
    }
    const problems = preflight.problems.map((p) => `${p.rule}/${p.check ?? '-'} ${p.path ?? ''}`);
    const expected = variant.encoding ? [] : unstamped;
    if (variant.encoding && problems.length > 0) tally.refusedValid++;
    if (!variant.encoding) {
      tally.unstamped += unstamped.length;
      tally.namedDriverVer += preflight.problems.filter((p) => p.check !== undefined).length;
    }
    if (JSON.stringify(problems) !== JSON.stringify(expected)) failures.push(`${where}: problems ${JSON.stringify(problems)}, expected ${JSON.stringify(expected)}`);
    const odd = preflight.warnings.filter((w) => !WARNING_RULES.has(w.rule));
    if (odd.length > 0) failures.push(`${where}: unexpected warnings ${JSON.stringify(odd)}`);
    if (!variant.encoding) {
      // The same DriverVer rule refuses metadata: for the first unstamped INF, named by its rule.
      const refused = metadataError?.reason === 'invalid-inf' && metadataError.message.includes('[driver-ver-missing]');
      if (refused !== unstamped.length > 0) failures.push(`${where}: metadata ${metadataError ? `refused (${metadataError.message})` : 'derived'} with unstamped ${JSON.stringify(unstamped)}`);
      continue;
    }
    if (!metadata) {
      failures.push(`${where}: no metadata: ${metadataError?.message}`);
      continue;
    }
    const infInfoMap = Object.values(metadata.BundleInfoMap)[0]!.InfInfoMap;
    if (JSON.stringify(Object.keys(infInfoMap)) !== JSON.stringify(keys)) {
      failures.push(`${where}: InfInfoMap has ${JSON.stringify(Object.keys(infInfoMap))}, expected the driver INFs ${JSON.stringify(keys)}`);
    }
    // Encoding, line ends and container must not change a single value.
    firstStamped ??= JSON.stringify(infInfoMap);
    if (JSON.stringify(infInfoMap) !== firstStamped) failures.push(`${where}: metadata differs from the first stamped package's`);
  }
  return failures;
}

describe.each(SOURCES)('the %s corpus, packed by gcab and zip', (source) => {
  it('is read without a crash, valid packages pass, and unstamped INFs are refused only for their DriverVer', async () => {
    const folders = await corpusFolders(source);
    const files = folders.reduce((sum, folder) => sum + folder.files.length, 0);
    expect(files).toBe(EXPECTED_FILES[source]);
    tally.files += files;
    tally.folders += folders.length;
    const packages = chunks(
      folders.map((folder, index) => ({ folder, subfolder: driverFolderName(folder.folder, index) })),
      FOLDERS_PER_PACKAGE,
    );
    const failures = (
      await mapLimited(packages, 2, async (packageFolders, index) => {
        const name = `${source}-${index}`;
        const outcomes: Outcome[] = [];
        for (const variant of VARIANTS) outcomes.push(await runVariant(name, packageFolders, variant));
        return judge(name, packageFolders, outcomes);
      })
    ).flat();
    expect(failures).toEqual([]);
  });
});

describe('the corpus run as a whole', () => {
  it('had no crash, refused no valid package and named every missing DriverVer', () => {
    expect(tally.crashes).toBe(0);
    expect(tally.refusedValid).toBe(0);
    expect(tally.files).toBe(159);
    const packages = tally.packages.zip!;
    expect(tally.packages).toEqual({ 'gcab-mszip': 2 * packages, 'gcab-stored': packages, zip: packages });
    expect(packages).toBeGreaterThanOrEqual(Math.ceil(tally.folders / FOLDERS_PER_PACKAGE));
    // Every INF whose source has no DriverVer value is named, with its rule, and nothing else is.
    expect(tally.unstamped).toBe(14);
    expect(tally.namedDriverVer).toBe(tally.unstamped);
  });
});
