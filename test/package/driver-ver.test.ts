/**
 * The rules of Microsoft's INF DriverVer directive page, each named: as `readDriverVer` reads the directive, and as
 * preflight and driver metadata treat the hand-written edge-case INFs of the corpus (test/fixtures/inf/edge-cases)
 * packed by gcab.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driverMetadataFromPackage } from '../../src/package/driver-metadata.js';
import { readDriverVer, type DriverVerRule } from '../../src/package/driver-ver.js';
import { readDriverInf } from '../../src/package/inf.js';
import { preflightPackage } from '../../src/package/preflight.js';
import { CORPUS, buildPackage, corpusText, encode, ensureDebianPackages } from '../support/inf-corpus.js';

type Named = `${'problem' | 'warning'} ${DriverVerRule}`;
const named = (fields: readonly string[] | undefined): Named[] => readDriverVer(fields).findings.map((f) => `${f.severity} ${f.rule}` as Named);

describe('readDriverVer', () => {
  it.each([
    [['03/15/2011', '1.2.3.4'], { date: '2011-03-15', version: '1.2.3.4' }],
    // "A hyphen (-) can be used as the date field separator instead of the slash (/)."
    [['03-15-2011', '6.1.7600.16385'], { date: '2011-03-15', version: '6.1.7600.16385' }],
    // Fewer than four parts, leading zeros: Microsoft's samples use them.
    [['10/28/2010', '1.00.0000'], { date: '2010-10-28', version: '1.00.0000' }],
    [['02/29/2024', '65534.0.0.1'], { date: '2024-02-29', version: '65534.0.0.1' }],
  ])('accepts %j without a word', (fields, value) => {
    expect(readDriverVer(fields)).toEqual({ value, findings: [], malformed: false });
  });

  it.each<[string[], { date: string; version?: string }, Named[]]>([
    // Microsoft's own prm/PrmFunc/prmfuncsample.inf: a one-digit month and day, and no version.
    [['2/1/2023'], { date: '2023-02-01' }, ['warning driver-ver-date-digits', 'warning driver-ver-version-missing']],
    [['02/01/2023'], { date: '2023-02-01' }, ['warning driver-ver-version-missing']],
    [['02/01/2023', ''], { date: '2023-02-01' }, ['warning driver-ver-version-missing']],
    [['3-5-2024', '1.0.0.0'], { date: '2024-03-05', version: '1.0.0.0' }, ['warning driver-ver-date-digits']],
    // 65535: the DriverVer page excludes it, InfVerif's error 1217 allows it.
    [['02/01/2023', '1.2.3.65535'], { date: '2023-02-01', version: '1.2.3.65535' }, ['warning driver-ver-version-range']],
  ])('accepts %j with the warnings named', (fields, value, findings) => {
    const reading = readDriverVer(fields);
    expect(reading.value).toEqual(value);
    expect(named(fields)).toEqual(findings);
    expect(reading.findings.every((f) => f.message.length > 0)).toBe(true);
  });

  it.each<[string[] | undefined, Named[]]>([
    [undefined, ['problem driver-ver-missing']],
    [[''], ['problem driver-ver-missing']],
    [['', ''], ['problem driver-ver-missing']],
    [['02/01/2023', '0.0.0.0'], ['problem driver-ver-version-zero']],
    [['02/01/2023', '0.0'], ['problem driver-ver-version-zero']],
    [['02/01/2023', '1.2.3.70000'], ['problem driver-ver-version-range']],
    [['02/01/2023', '65536.0.0.0'], ['problem driver-ver-version-range']],
    [['02/01/2023', '1.2.3.4.5'], ['problem driver-ver-version-format']],
    [['02/01/2023', '1.x'], ['problem driver-ver-version-format']],
    [['02/01/2023', '-1.0.0.0'], ['problem driver-ver-version-format']],
    [['2/1/2023', '0.0.0.0'], ['warning driver-ver-date-digits', 'problem driver-ver-version-zero']],
    [['13/01/2023', '1.0.0.0'], ['problem driver-ver-date']],
    [['02/30/2023', '1.0.0.0'], ['problem driver-ver-date']],
    [['02/29/2023', '1.0.0.0'], ['problem driver-ver-date']],
    [['2023/01/15', '1.0.0.0'], ['problem driver-ver-date']],
    [['2023-01-15', '1.0.0.0'], ['problem driver-ver-date']],
    [['01/15/23', '1.0.0.0'], ['problem driver-ver-date']],
    [['03/15-2011', '1.0.0.0'], ['problem driver-ver-date']],
    [['03.15.2011', '1.0.0.0'], ['problem driver-ver-date']],
  ])('refuses %j, naming the rule', (fields, findings) => {
    const reading = readDriverVer(fields);
    expect(reading.value).toBeUndefined();
    expect(named(fields)).toEqual(findings);
  });

  it('says what to do in every message', () => {
    expect(readDriverVer(['02/01/2023', '1.2.3.70000']).findings[0]!.message).toBe(
      'DriverVer version "1.2.3.70000" has a part above 65535; each of w, x, y and z must be an integer from 0 to 65534 (INF DriverVer directive), as Windows keeps each part in 16 bits.',
    );
    expect(readDriverVer(['2/1/2023']).findings.map((f) => f.message)).toEqual([
      'DriverVer date "2/1/2023" has a one-digit month or day; the INF DriverVer directive asks for two digits (02/01/2023).',
      'DriverVer has a date but no version, so Windows ranks the driver as version 0.0.0.0, below any driver with a version. Add one: "DriverVer = 2/1/2023,w.x.y.z".',
    ]);
    expect(readDriverVer(['']).findings[0]!.message).toContain('is empty, as in an INX template or an INF that stampinf has not stamped');
  });

  it('is read from [Version] after %strkey% expansion, by readDriverInf', () => {
    const inf = readDriverInf('[Version]\r\nSignature="$Windows NT$"\r\nDriverVer=%Date%,%Ver%\r\n[Strings]\r\nDate="04-30-2024"\r\nVer="2.0.65535.1"\r\n');
    expect(inf.version.driverVer).toEqual({ date: '2024-04-30', version: '2.0.65535.1' });
    expect(inf.driverVerFindings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['warning driver-ver-version-range']);
    expect(inf.diagnostics).toEqual([]);
  });
});

describe('the edge-case INFs, packed by gcab, through preflight and driver metadata', () => {
  let workDir: string;
  beforeAll(async () => {
    await ensureDebianPackages('gcab');
    workDir = await mkdtemp(join(tmpdir(), 'hwdash-driver-ver-'));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  async function pack(file: string, encoding: 'utf8-crlf' | 'utf16le-bom-crlf' | 'as-is' = 'as-is'): Promise<string> {
    const bytes = await readFile(join(CORPUS, 'edge-cases', file));
    const entry = { path: `edge/${file}`, bytes: encoding === 'as-is' ? bytes : encode(corpusText(bytes), encoding) };
    return buildPackage(workDir, `${file}-${encoding}`, 'gcab-mszip', [entry]);
  }

  it.each<[string, Named[], { DriverVersion: string; DriverDate: string }]>([
    ['driverver-hyphen-date.inf', [], { DriverVersion: '6.1.7600.16385', DriverDate: '2011-03-15T00:00:00' }],
    ['driverver-date-only.inf', ['warning driver-ver-version-missing'], { DriverVersion: '0.0.0.0', DriverDate: '2023-01-02T00:00:00' }],
    ['driverver-one-digit-month.inf', ['warning driver-ver-date-digits'], { DriverVersion: '1.0.0.0', DriverDate: '2024-03-15T00:00:00' }],
    ['driverver-part-65535.inf', ['warning driver-ver-version-range'], { DriverVersion: '1.2.3.65535', DriverDate: '2023-01-02T00:00:00' }],
  ])('%s passes preflight, warnings named %j, and its metadata carries the DriverVer', async (file, warnings, driverVer) => {
    for (const encoding of ['as-is', 'utf16le-bom-crlf'] as const) {
      const path = await pack(file, encoding);
      const result = await preflightPackage(path);
      expect(result.problems).toEqual([]);
      expect(result.warnings.filter((w) => w.check).map((w) => `warning ${w.check}`)).toEqual(warnings);
      expect(result.warnings.filter((w) => w.check).every((w) => w.rule === 'inf-version' && w.path === `edge/${file}`)).toBe(true);
      const inf = Object.values((await driverMetadataFromPackage(path)).BundleInfoMap)[0]!.InfInfoMap[file]!;
      expect(inf).toMatchObject(driverVer);
      expect(inf.OSPnPInfoMap['WINDOWS_v100_X64_VB_FULL']).toEqual({
        'acpi\\fab0042': { Manufacturer: 'Fabrikam', DeviceDescription: 'Fabrikam DriverVer fixture', FeatureScore: null },
      });
    }
  });

  it.each<[string, DriverVerRule]>([
    ['driverver-zero-version.inf', 'driver-ver-version-zero'],
    ['driverver-part-above-65535.inf', 'driver-ver-version-range'],
    ['driverver-year-first.inf', 'driver-ver-date'],
  ])('%s is refused by preflight and by metadata derivation, naming %s', async (file, rule) => {
    const path = await pack(file, 'utf8-crlf');
    const result = await preflightPackage(path);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ rule: 'inf-version', check: rule, path: `edge/${file}`, message: expect.stringMatching(new RegExp(`^edge/${file}: DriverVer `)) }]);
    await expect(driverMetadataFromPackage(path)).rejects.toMatchObject({ reason: 'invalid-inf', entryPath: `edge/${file}`, message: expect.stringContaining(`[${rule}]`) });
  });

  it('reads an ANSI (Windows-1252) INF with CRLF line ends', async () => {
    const path = await pack('windows-1252.inf');
    expect((await preflightPackage(path)).problems).toEqual([]);
    const inf = Object.values((await driverMetadataFromPackage(path)).BundleInfoMap)[0]!.InfInfoMap['windows-1252.inf']!;
    expect(inf.OSPnPInfoMap['WINDOWS_v100_X64_GE_FULL']).toEqual({
      'acpi\\fab0042': { Manufacturer: 'Fabrikam', DeviceDescription: 'Fabrikam Gerät für Prüfungen – ANSI', FeatureScore: null },
    });
  });
});
