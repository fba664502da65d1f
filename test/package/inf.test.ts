import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractCabFile } from '../../src/package/cab.js';
import { decodeInfText, parseInf, readDriverInf, unquote } from '../../src/package/inf.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('INF syntax', () => {
  it('parses sections, keys, comma fields, comments, continuations and quotes', () => {
    const doc = parseInf(
      [
        '; leading comment',
        '[Version]',
        'Signature = "$Windows NT$" ; trailing comment',
        '',
        '[Models.NTamd64]',
        '%Dev% = Install, USB\\VID_1&PID_2, \\',
        '   USB\\Class_FF ; compatible ID on a continued line',
        '"Semi;colon" = "a, b", c ,, "say ""hi"""',
        'just, values',
        '[models.ntamd64]',
        'Second = part',
      ].join('\r\n'),
    );
    expect(doc.sections.map((s) => s.name)).toEqual(['Version', 'Models.NTamd64']);
    expect(doc.value('version', 'SIGNATURE')).toMatchObject({ key: 'Signature', values: ['$Windows NT$'], lineNumber: 3 });
    const models = doc.section('MODELS.NTAMD64')!.lines;
    expect(models.map(({ key, values, lineNumber }) => ({ key, values, lineNumber }))).toEqual([
      { key: '%Dev%', values: ['Install', 'USB\\VID_1&PID_2', 'USB\\Class_FF'], lineNumber: 6 },
      { key: 'Semi;colon', values: ['a, b', 'c', '', 'say "hi"'], lineNumber: 8 },
      { key: undefined, values: ['just', 'values'], lineNumber: 9 },
      { key: 'Second', values: ['part'], lineNumber: 11 },
    ]);
    expect(models[1]!.rawValue).toBe('"a, b", c ,, "say ""hi"""');
    expect(doc.diagnostics).toEqual([]);
  });

  it('expands %strkey% from [Strings] case-insensitively, keeps %% and directory IDs, and records unknown tokens', () => {
    const doc = parseInf(
      ['[Strings]', 'Mfg = "Contoso, Ltd."', 'PLAIN = unquoted text, with comma', '[Strings.0409]', 'Mfg = "ignored"', 'OnlyUs = "from 0409"'].join('\n'),
    );
    expect(doc.expand('%mfg%')).toBe('Contoso, Ltd.');
    expect(doc.expand('%Plain%')).toBe('unquoted text, with comma');
    expect(doc.expand('%OnlyUs%')).toBe('from 0409');
    expect(doc.expand('100%% sure of %13%\\x.sys')).toBe('100% sure of %13%\\x.sys');
    expect(doc.expand('%Missing% and %Missing%')).toBe('%Missing% and %Missing%');
    expect(doc.diagnostics).toEqual(['%Missing% is not defined in [Strings]']);
  });

  it('reports unclosed quotes, headers without ] and text outside sections', () => {
    const doc = parseInf(['stray = 1', '[Version', '[Ok]', 'a = "open'].join('\n'));
    expect(doc.diagnostics).toEqual([
      'line 1: text before the first section is ignored',
      "line 2: section header without ']'",
      'line 4: a quoted string is not closed',
    ]);
  });

  it('unquotes mixed quoted and unquoted runs', () => {
    expect(unquote('"Contoso" Inc')).toBe('Contoso Inc');
    expect(unquote('""')).toBe('');
    expect(unquote('"a""b"')).toBe('a"b');
    expect(unquote('plain')).toBe('plain');
  });
});

describe('INF text encodings', () => {
  const text = '[Strings]\r\nDev = "Gerät Ω"\r\n';
  it.each([
    ['UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
    ['UTF-16LE without BOM', Buffer.from(text, 'utf16le')],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])],
    ['UTF-8', Buffer.from(text, 'utf8')],
  ])('decodes %s', (_, bytes) => {
    expect(decodeInfText(bytes)).toBe(text);
    expect(parseInf(bytes).expand('%Dev%')).toBe('Gerät Ω');
  });

  it('falls back to Windows-1252 for ANSI INFs', () => {
    const ansi = Buffer.from([...Buffer.from('[Strings]\r\nDev = "Ger'), 0xe4, ...Buffer.from('t '), 0x80, 0x22]);
    expect(parseInf(ansi).expand('%Dev%')).toBe('Gerät €');
  });
});

describe('readDriverInf', () => {
  it('reads [Version], [Manufacturer] decorations and device lines of the sample driver', async () => {
    const inf = readDriverInf(await readFile(join(ROOT, 'examples/sample-driver/contoso_hwdash_sample.inf')));
    expect(inf.version).toEqual({
      signature: '$WINDOWS NT$',
      class: 'USBDevice',
      classGuid: '{88BAE032-5A81-49f0-BC3D-A4FF138216D6}',
      provider: 'Contoso',
      catalogFile: 'contoso_hwdash_sample.cat',
      driverVer: { date: '2025-03-14', version: '1.2.3.4' },
    });
    expect(inf.isExtension).toBe(false);
    expect(inf.manufacturers.map(({ name, modelsSection, decorations }) => ({ name, modelsSection, decorations }))).toEqual([
      { name: 'Contoso', modelsSection: 'Standard', decorations: ['NTamd64.10.0...16299', 'NTarm64.10.0...16299'] },
    ]);
    expect(inf.devices.map(({ manufacturer, deviceDescription, installSection, hardwareIds, decoration }) => ({
      manufacturer,
      deviceDescription,
      installSection,
      hardwareIds,
      decoration,
    }))).toEqual(
      ['NTamd64.10.0...16299', 'NTarm64.10.0...16299'].flatMap((decoration) => [
        { manufacturer: 'Contoso', deviceDescription: 'Contoso HWDash Sample Device', installSection: 'ContosoSample_Install', hardwareIds: ['USB\\VID_1234&PID_5678'], decoration },
        { manufacturer: 'Contoso', deviceDescription: 'Contoso HWDash Sample Device (Rev 2)', installSection: 'ContosoSample_Install', hardwareIds: ['USB\\VID_1234&PID_5679'], decoration },
      ]),
    );
    expect(inf.targetComputers).toEqual([]);
    expect(inf.diagnostics).toEqual([]);
  });

  it('reads a UTF-16LE INF out of the gcab-made fixture', async () => {
    const bytes = await extractCabFile(join(ROOT, 'test/package/fixtures/gcab-mszip.cab'), 'gcab-driver/fixture.inf');
    const inf = readDriverInf(bytes);
    expect(inf.version).toMatchObject({ provider: 'Fabrikam', driverVer: { date: '2024-01-02', version: '10.0.1.2' }, catalogFile: 'fixture.cat' });
    expect(inf.devices).toEqual([
      {
        manufacturer: 'Fabrikam',
        deviceDescription: 'Fabrikam Fixture Device é',
        installSection: 'Fixture_Install',
        hardwareIds: ['PCI\\VEN_ABCD&DEV_0001'],
        modelsSection: 'Fixture.NTamd64',
        decoration: 'NTamd64',
      },
    ]);
  });

  it('reads extension INFs, compatible IDs, undecorated and empty models sections, TargetComputers and directives', () => {
    const inf = readDriverInf(
      [
        '[Version]',
        'Signature="$Windows NT$"',
        'Class=Extension',
        'ClassGuid={E2F84CE7-8EFA-411C-AA69-97454CA4CB57}',
        'ExtensionId={5E3A1E4C-6B0B-4E5B-9C8E-2C1D0A9B8F7E}',
        'Provider=%P%',
        'CatalogFile.NTamd64=ext64.cat',
        'DriverVer=7/4/2023',
        '[Manufacturer]',
        'Fabrikam',
        '%P%=Ext,NTamd64,NTamd64.10.0...22000,',
        '[Fabrikam]',
        '%D%=Inst,ACPI\\FAB0001,*FAB0001',
        '[Ext.NTamd64]',
        '%D%=Inst,,PCI\\CC_0300',
        '[Ext.NTamd64.10.0...22000]',
        '[Inst.NT]',
        'FeatureScore=0x80',
        '[TargetComputers]',
        '{A9A8E6FC-4969-4336-927C-9D8F7B6C1D14}',
        '[Strings]',
        'P="Fabrikam"',
        'D="Display extension"',
      ].join('\n'),
    );
    expect(inf.isExtension).toBe(true);
    expect(inf.version).toMatchObject({
      extensionId: '{5E3A1E4C-6B0B-4E5B-9C8E-2C1D0A9B8F7E}',
      catalogFile: 'ext64.cat',
      driverVer: { date: '2023-07-04' },
    });
    expect(inf.manufacturers.map((m) => [m.name, m.modelsSection, m.decorations, m.models.map((s) => [s.sectionName, s.devices.length])])).toEqual([
      ['Fabrikam', 'Fabrikam', [], [['Fabrikam', 1]]],
      ['Fabrikam', 'Ext', ['NTamd64', 'NTamd64.10.0...22000'], [['Ext.NTamd64', 1], ['Ext.NTamd64.10.0...22000', 0]]],
    ]);
    expect(inf.devices.map((d) => d.hardwareIds)).toEqual([['ACPI\\FAB0001', '*FAB0001'], ['PCI\\CC_0300']]);
    expect(inf.targetComputers).toEqual(['a9a8e6fc-4969-4336-927c-9d8f7b6c1d14']);
    expect(inf.installDirective('inst.nt', 'featurescore')).toBe('0x80');
    expect(inf.installDirective('Inst', 'FeatureScore')).toBeUndefined();
  });

  it('rejects malformed DriverVer values and names missing models sections', () => {
    for (const bad of ['2024-01-02,1.0.0.0', '13/01/2024,1.0', '02/30/2024,1.0', '01/02/2024,1.x']) {
      const inf = readDriverInf(`[Version]\nDriverVer=${bad}\n[Manufacturer]\nM=Models,NTarm64\n`);
      expect(inf.version.driverVer).toBeUndefined();
      expect(inf.diagnostics).toEqual([
        `line 2: DriverVer "${bad}" is not mm/dd/yyyy[,w.x.y.z]`,
        '[Manufacturer] names models section [Models.NTarm64], which the INF does not have',
      ]);
    }
  });
});
