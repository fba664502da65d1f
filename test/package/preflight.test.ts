import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod as chmodPath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCab, type CabWriterEntry } from '../support/cab-writer.js';
import { assertPreflight, preflightPackage, type PreflightProblem } from '../../src/package/preflight.js';
import { PreflightError } from '../../src/package/preflight-error.js';
import { driverInf, flipByte, makeTempDir, writeZip, type ZipEntrySpec } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SAMPLE = join(ROOT, 'examples', 'sample-driver');
/** What signtool leaves in a signed CAB's header reserve; only its presence matters here. */
const SIGNED = { headerReserve: Buffer.alloc(20) };
const SIGNATURE_PART: ZipEntrySpec = { path: 'package/services/digital-signature/xml-signature/sig.psdsxs', bytes: Buffer.from('<Signature/>') };

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let sampleEntries: CabWriterEntry[];
beforeAll(async () => {
  temp = await makeTempDir();
  const names = ['contoso_hwdash_sample.cat', 'contoso_hwdash_sample.inf', 'contoso_hwdash_sample.sys'];
  sampleEntries = await Promise.all(names.map(async (name) => ({ path: `sample-driver/${name}`, bytes: await readFile(join(SAMPLE, name)) })));
});
afterAll(async () => {
  await temp.remove();
});

async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = temp.path(name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return path;
}

async function zip(name: string, entries: ZipEntrySpec[], options?: { zip64?: boolean }): Promise<string> {
  const path = temp.path(name);
  await writeZip(path, entries, options);
  return path;
}

const rules = (findings: readonly PreflightProblem[]): string[] => findings.map((f) => f.rule);

describe('preflightPackage: attestation CABs', () => {
  it('passes a signed CAB with the driver in a subfolder, with nothing to report', async () => {
    const path = await file('good.cab', buildCab(sampleEntries, SIGNED));
    const result = await preflightPackage(path);
    expect(result).toEqual({
      ok: true,
      kind: 'cab',
      harness: 'attestation',
      size: buildCab(sampleEntries, SIGNED).length,
      files: 3,
      infFiles: ['sample-driver/contoso_hwdash_sample.inf'],
      problems: [],
      warnings: [],
    });
    expect(await assertPreflight(path, { harness: 'attestation' })).toEqual(result);
  });

  it('warns that an unsigned CAB needs an EV signature', async () => {
    const result = await preflightPackage(await file('unsigned.cab', buildCab(sampleEntries)));
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([{ rule: 'cab-signed', message: expect.stringContaining('carries no Authenticode signature') }]);
    expect(result.warnings[0]!.message).toContain('signtool');
  });

  it('reports every INF at the CAB root, and every INF problem, in one run', async () => {
    const badInf = '[Version]\r\nSignature="$Chicago95$"\r\nClass=Net\r\n[Strings]\r\n';
    const path = await file(
      'root.cab',
      buildCab(
        [
          { path: 'a.inf', bytes: Buffer.from(driverInf()) },
          { path: 'b.inf', bytes: Buffer.from(badInf) },
          { path: 'driver/c.inf', bytes: Buffer.from(driverInf({ extra: '[Models.NTamd64]\r\nx = y, %Undefined%\r\n' })) },
        ],
        SIGNED,
      ),
    );
    const result = await preflightPackage(path);
    expect(result.ok).toBe(false);
    expect(result.problems.map(({ rule, path: p }) => [rule, p])).toEqual([
      ['cab-drivers-in-subfolder', 'a.inf'],
      ['cab-drivers-in-subfolder', 'b.inf'],
      ['inf-version', 'b.inf'],
      ['inf-version', 'b.inf'],
    ]);
    expect(result.problems[0]!.message).toBe(
      `a.inf is at the root of ${path}; attestation needs each driver in a subfolder (e.g. driver/a.inf). Rebuild the CAB with the driver files in a folder.`,
    );
    expect(result.problems[2]!.message).toBe('b.inf: Signature "$Chicago95$" is not one Windows accepts. Use Signature="$Windows NT$".');
    expect(result.problems[3]!.message).toContain('b.inf: [Version] has no valid DriverVer');
    expect(result.warnings.map(({ rule, path: p }) => [rule, p])).toEqual([
      ['inf-version', 'b.inf'],
      ['inf-version', 'b.inf'],
      ['inf-version', 'b.inf'],
      ['inf-syntax', 'driver/c.inf'],
    ]);
    expect(result.warnings.map((w) => w.message)).toEqual([
      'b.inf: [Version] lacks ClassGuid. Name the device setup class with both Class and ClassGuid.',
      'b.inf: [Version] has no Provider. Add Provider = %ManufacturerName%.',
      'b.inf: [Version] has no CatalogFile, so the signed catalog has no name to go by. Add CatalogFile = <name>.cat.',
      'driver/c.inf: %Undefined% is not defined in [Strings].',
    ]);
  });

  it('reports an INF without [Version] as not an INF', async () => {
    const result = await preflightPackage(await file('noversion.cab', buildCab([{ path: 'd/x.inf', bytes: Buffer.from('[Manufacturer]\r\n') }], SIGNED)));
    expect(result.problems.map((p) => p.message)).toEqual([
      'd/x.inf: no [Version] section with a Signature, so Windows does not read it as an INF. Add [Version] with Signature="$Windows NT$".',
      'd/x.inf: [Version] has no valid DriverVer. Add "DriverVer = mm/dd/yyyy,w.x.y.z" (stampinf writes it at build time).',
    ]);
  });

  it('requires an INF in attestation packages', async () => {
    const result = await preflightPackage(await file('noinf.cab', buildCab([{ path: 'd/x.sys', bytes: Buffer.from('x') }], SIGNED)));
    expect(result).toMatchObject({ ok: false, files: 1, infFiles: [] });
    expect(result.problems).toEqual([{ rule: 'inf-present', message: expect.stringContaining('holds no .inf file, so there is no driver to sign') }]);
  });

  it('rejects a Zip or random data named .cab by its missing MSCF signature', async () => {
    const fake = await zip('fake.cab', [{ path: 'd/x.inf', bytes: Buffer.from(driverInf()) }]);
    const zipResult = await preflightPackage(fake);
    expect(zipResult.kind).toBe('zip');
    expect(zipResult.problems[0]).toEqual({
      rule: 'cab-signature',
      message: `${fake} is a Zip archive, not a cabinet: it does not start with 'MSCF'. Build a real CAB with makecab, or name the file .zip.`,
    });
    const junk = await preflightPackage(await file('junk.cab', 'definitely not a cabinet'));
    expect(junk).toMatchObject({ ok: false, kind: 'unknown', files: 0 });
    expect(rules(junk.problems)).toEqual(['cab-signature']);
    expect(junk.problems[0]!.message).toContain('renaming a file to .cab does not make it one');
  });

  it('reports truncated and damaged cabinets as unreadable', async () => {
    const bytes = buildCab(sampleEntries, SIGNED);
    const truncated = await preflightPackage(await file('truncated.cab', bytes.subarray(0, bytes.length - 10)));
    expect(truncated).toMatchObject({ ok: false, kind: 'cab', files: 0 });
    expect(truncated.problems).toEqual([{ rule: 'archive-readable', message: expect.stringContaining('is cut short') }]);

    const damaged = Buffer.from(bytes);
    flipByte(damaged, damaged.length - 5, 0xff);
    const result = await preflightPackage(await file('damaged.cab', damaged));
    expect(result.problems).toEqual([
      { rule: 'archive-readable', message: expect.stringContaining('fails its checksum'), path: 'sample-driver/contoso_hwdash_sample.inf' },
    ]);
  });

  it('only warns when INF contents cannot be checked because of LZX compression', async () => {
    const bytes = buildCab(sampleEntries, SIGNED);
    bytes.writeUInt16LE(3, 36 + 4 + 20 + 6); // folder typeCompress, after the 4 reserve-size bytes and 20 reserve bytes
    const result = await preflightPackage(await file('lzx.cab', bytes));
    expect(result).toMatchObject({ ok: true, files: 3, problems: [] });
    expect(result.warnings).toEqual([
      {
        rule: 'archive-readable',
        message: expect.stringContaining('is compressed with LZX, which hwdash cannot read; its contents were not checked'),
        path: 'sample-driver/contoso_hwdash_sample.inf',
      },
    ]);
  });

  it('reports empty files and archives with no files', async () => {
    const empty = await preflightPackage(await file('empty.cab', ''));
    expect(empty).toMatchObject({ ok: false, kind: 'unknown', size: 0, files: 0 });
    expect(empty.problems).toEqual([{ rule: 'not-empty', message: expect.stringContaining('is empty (0 bytes)') }]);

    const noFiles = await preflightPackage(await file('nofiles.cab', buildCab([], SIGNED)));
    expect(noFiles).toMatchObject({ ok: false, kind: 'cab', files: 0 });
    expect(noFiles.problems).toEqual([{ rule: 'not-empty', message: expect.stringContaining('is an archive with no files in it') }]);
  });
});

describe('preflightPackage: file and harness checks', () => {
  it('reports a missing file, a folder and a path that cannot be examined', async () => {
    const missing = await preflightPackage(temp.path('nope.cab'));
    expect(missing).toEqual({
      ok: false,
      kind: 'unknown',
      harness: 'attestation',
      size: 0,
      files: 0,
      infFiles: [],
      problems: [{ rule: 'file-exists', message: `There is no file at ${temp.path('nope.cab')}. Check the path (relative paths start from ${process.cwd()}).` }],
      warnings: [],
    });
    const folder = await preflightPackage(SAMPLE, { harness: 'attestation' });
    expect(rules(folder.problems)).toEqual(['harness-type', 'file-exists']);
    expect(folder.problems[1]!.message).toContain('is a folder, not a package file. Pack the driver folder into a .cab');

    const loop = temp.path('loop.cab');
    await symlink(loop, loop);
    const looped = await preflightPackage(loop);
    expect(looped.problems).toEqual([{ rule: 'file-exists', message: expect.stringContaining('cannot be examined') }]);
  });

  it('reports a file it may not read', async () => {
    const { chmod } = await import('node:fs/promises');
    const path = await file('locked.cab', buildCab(sampleEntries, SIGNED));
    await chmod(path, 0o000);
    // Root may read anything, so as root the check runs in a child process that permissions bind, the way CI runs it.
    const problems = process.getuid?.() === 0 ? await preflightAsNobody(path) : (await preflightPackage(path)).problems;
    expect(rules(problems)).toEqual(['file-readable']);
  });

  it('accepts a zipped driver folder for attestation, warning that the portal prefers CAB', async () => {
    const path = await zip('driver.zip', sampleEntries.map((e) => ({ path: e.path, bytes: e.bytes })));
    const result = await preflightPackage(path);
    expect(result).toMatchObject({ ok: true, kind: 'zip', harness: 'attestation', files: 3, infFiles: ['sample-driver/contoso_hwdash_sample.inf'] });
    expect(result.warnings).toEqual([{ rule: 'harness-type', message: expect.stringContaining('prefers a CAB') }]);

    const notZip = await preflightPackage(await file('notzip.zip', 'plain text'));
    expect(notZip.problems).toEqual([{ rule: 'archive-readable', message: expect.stringContaining('should be a zipped driver folder, but it is not a Zip archive') }]);
  });

  it('names the expected package type when the file does not fit the harness', async () => {
    const cab = await file('for-hlk.cab', buildCab(sampleEntries, SIGNED));
    const asHlk = await preflightPackage(cab, { harness: 'hlk' });
    expect(asHlk).toMatchObject({ ok: false, kind: 'cab', harness: 'hlk' });
    expect(asHlk.problems).toEqual([
      { rule: 'harness-type', message: `HLK submissions take the .hlkx package that HLK Studio creates; ${cab} is a .cab. Create the package in HLK Studio, or submit this file with the harness its type belongs to.` },
      { rule: 'archive-readable', message: `${cab} should be an .hlkx package, which is a Zip file, but it is a cabinet. Create the package again in HLK Studio.` },
    ]);

    const hlkx = await zip('results.hlkx', [SIGNATURE_PART]);
    const asAttestation = await preflightPackage(hlkx, { harness: 'attestation' });
    expect(asAttestation.problems[0]!.rule).toBe('harness-type');
    expect(asAttestation.problems[0]!.message).toContain('Submit it as an HLK/HCK submission instead');

    const unknown = await preflightPackage(await file('package.bin', buildCab(sampleEntries, SIGNED)));
    expect(unknown).toMatchObject({ kind: 'cab', harness: undefined, files: 3 });
    expect(rules(unknown.problems)).toEqual(['harness-type']);
    expect(unknown.problems[0]!.message).toContain('Name it .cab (attestation), .hlkx (HLK) or .hckx (HCK)');
  });
});

describe('preflightPackage: HLK and HCK packages', () => {
  it('passes a signed plain-Zip .hlkx with a driver, and infers hck from .hckx', async () => {
    const entries = [SIGNATURE_PART, { path: 'hck/data/driver/d.inf', bytes: Buffer.from(driverInf()) }];
    const hlk = await preflightPackage(await zip('good.hlkx', entries));
    expect(hlk).toMatchObject({ ok: true, kind: 'hlkx', harness: 'hlk', files: 2, infFiles: ['hck/data/driver/d.inf'], problems: [], warnings: [] });
    const hck = await preflightPackage(await zip('good.hckx', entries));
    expect(hck).toMatchObject({ ok: true, kind: 'hckx', harness: 'hck', problems: [], warnings: [] });
  });

  it('rejects Zip64 HLK packages', async () => {
    const path = await zip('big.hlkx', [SIGNATURE_PART], { zip64: true });
    const result = await preflightPackage(path);
    expect(result.problems).toEqual([{ rule: 'hlk-plain-zip-not-zip64', message: expect.stringContaining('uses Zip64') }]);
    expect(result.problems[0]!.message).toContain('the portal rejects for HLK packages');
  });

  it('warns about unsigned packages and packages without a driver, without failing them', async () => {
    const result = await preflightPackage(await zip('bare.hlkx', [{ path: '[Content_Types].xml', bytes: Buffer.from('<Types/>') }]));
    expect(result.ok).toBe(true);
    expect(rules(result.warnings)).toEqual(['hlk-signed', 'inf-present']);
    expect(result.warnings[1]!.message).toContain('fine for a system submission');
  });
});

describe('assertPreflight', () => {
  it('throws a PreflightError carrying the whole result and listing the problems', async () => {
    const path = await file('assert.cab', buildCab([{ path: 'x.inf', bytes: Buffer.from(driverInf()) }]));
    const error = await assertPreflight(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    const preflight = error as PreflightError;
    expect(preflight.kind).toBe('preflight');
    expect(rules(preflight.result.problems)).toEqual(['cab-drivers-in-subfolder']);
    expect(rules(preflight.result.warnings)).toEqual(['cab-signed']);
    expect(preflight.message).toBe(
      `${path} is not ready to submit (1 problem):\n  - [cab-drivers-in-subfolder] ${preflight.result.problems[0]!.message}`,
    );
    expect(JSON.parse(JSON.stringify(preflight))).toMatchObject({ kind: 'preflight', result: { ok: false } });
  });
});

/**
 * Runs `preflightPackage(path)` in a child process that file permissions bind, and returns its problems. Root reads
 * anything, so the child is root without the capabilities that bypass permissions (util-linux's `setpriv`, present on
 * every Debian): unlike a switch to `nobody`, it still reaches the checkout wherever it is (a private temporary
 * folder, say). Without `setpriv`, the child runs as `nobody`.
 */
async function preflightAsNobody(path: string): Promise<PreflightProblem[]> {
  const moduleUrl = pathToFileURL(join(ROOT, 'src', 'package', 'preflight.ts')).href;
  const script = `const { preflightPackage } = await import(${JSON.stringify(moduleUrl)});
process.stdout.write(JSON.stringify((await preflightPackage(${JSON.stringify(path)})).problems));`;
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
  const run = promisify(execFile);
  const env = { PATH: process.env.PATH ?? '' };
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((candidate) => existsSync(candidate));
  if (setpriv) {
    const withoutBypass = '-dac_override,-dac_read_search';
    const { stdout } = await run(setpriv, [`--inh-caps=${withoutBypass}`, `--bounding-set=${withoutBypass}`, ...node], { cwd: ROOT, env });
    return JSON.parse(stdout) as PreflightProblem[];
  }
  // `nobody` must be able to reach the file's folder (temporary folders are private to their owner).
  await chmodPath(dirname(path), 0o755);
  const { stdout } = await run(node[0]!, node.slice(1), { cwd: ROOT, uid: 65534, gid: 65534, env });
  return JSON.parse(stdout) as PreflightProblem[];
}
