/**
 * isDeclarativeInf and isUniversal as the sandbox judges them: the universal INF rules of "Using a Universal INF
 * File" on every INF, and the modules every Windows binary imports.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseInf } from '../../src/package/inf.js';
import { judgeDchu } from '../../src/mock/sandbox/dchu.js';
import { peImports } from '../../src/mock/sandbox/pe-imports.js';
import { universalInfFindings } from '../../src/mock/sandbox/universal-inf-rules.js';
import { buildPe } from '../support/pe-writer.js';
import { driverCab, driverHlkx, LEGACY_FINDINGS, legacyDriverCab } from './support.js';

const findings = (text: string): string[] => universalInfFindings(parseInf(text));

describe('universal INF rules', () => {
  it('finds nothing wrong in a driver that only adds files to the driver store and values under HKR', () => {
    const inf = `[Version]\nSignature="$WINDOWS NT$"\n[Manufacturer]\n%M%=Models,NTamd64.10.0...16299,NTarm64\n[Models.NTamd64.10.0...16299]\n%D%=Install,PCI\\VEN_1\n[Install.NT]\nCopyFiles=Files\nAddReg=Reg\nCopyFiles=@single.sys\n[Install.NT.Services]\nAddService=svc,2,Svc\n[DefaultInstall.NTamd64]\nCopyFiles=Files\n[DestinationDirs]\nDefaultDestDir=13\nFiles=10,Contoso\n[Reg]\nHKR,,A,,1\nHKCR,CLSID\\{0},,,x\nHKLM,SOFTWARE\\Classes\\CLSID\\{0},,,x\nHKLM,"SOFTWARE\\Microsoft\\Windows Media Foundation\\HardwareMFT",Enable,0x10001,1\n[Strings]\nDelReg="a string key is no directive"\n`;
    expect(findings(inf)).toEqual([]);
  });

  it('names every section, directive, decoration, registry root and destination a universal INF may not use', () => {
    const inf = [
      '[Version]',
      '[Manufacturer]',
      '%M%=Models,NTamd64.10.0.1,NTx86.6.1..0x80',
      '[ClassInstall32]',
      'AddReg=ClassReg',
      '[Install.NT.CoInstallers]',
      '[Install.NT.FactDef]',
      '[Install.NT.LogConfigOverride]',
      '[DefaultInstall]',
      'RegisterDlls=Dlls',
      'ProfileItems=Items',
      '[ClassReg]',
      'HKCU,Software\\Contoso,,,x',
      '[Install.NT]',
      'CopyFiles=Files,Other',
      'RenFiles=Rename',
      '[DestinationDirs]',
      'Files=10',
      'Other=16422,Contoso',
    ].join('\n');
    expect(findings(inf)).toEqual([
      '[ClassInstall32]: ClassInstall32 sections are not allowed',
      '[Install.NT.CoInstallers]: DDInstall.CoInstallers sections are not allowed',
      '[Install.NT.FactDef]: DDInstall.FactDef sections are not allowed',
      '[Install.NT.LogConfigOverride]: DDInstall.LogConfigOverride sections are not allowed',
      '[DefaultInstall]: DefaultInstall needs an architecture decoration such as [DefaultInstall.NTamd64]',
      '[DefaultInstall] line 10: the RegisterDlls directive is not allowed',
      '[DefaultInstall] line 11: the ProfileItems directive is not allowed',
      '[Install.NT] line 16: the RenFiles directive is not allowed',
      '[Manufacturer] line 3: the decoration NTamd64.10.0.1 has a ProductType or SuiteMask',
      '[Manufacturer] line 3: the decoration NTx86.6.1..0x80 has a ProductType or SuiteMask',
      '[ClassReg] line 13: AddReg writes to HKCU\\Software\\Contoso, outside HKR',
      'CopyFiles Files goes to dirid 10; only 11, 12, 13 or 10 with a subdirectory are allowed',
      'CopyFiles Other goes to dirid 16422,Contoso; only 11, 12, 13 or 10 with a subdirectory are allowed',
    ]);
  });
});

describe('PE imports', () => {
  it('reads the imported modules of a PE32+ image, lower case', () => {
    expect(peImports(buildPe(['ntoskrnl.exe', 'HAL.dll', 'WDFLDR.SYS']))).toEqual(['ntoskrnl.exe', 'hal.dll', 'wdfldr.sys']);
    expect(peImports(buildPe([]))).toEqual([]);
  });

  it('gives undefined for what is not a PE image, or a damaged one, instead of throwing', () => {
    expect(peImports(Buffer.from('MZ sandbox driver binary'))).toBeUndefined();
    expect(peImports(Buffer.from('not a binary at all, but long enough to have a header of sixty-four bytes'))).toBeUndefined();
    const image = buildPe(['user32.dll']);
    expect(peImports(image.subarray(0, 0x210))).toBeUndefined();
    const pointingNowhere = Buffer.from(image);
    pointingNowhere.writeUInt32LE(0x9000, 0x40 + 24 + 112 + 8);
    expect(peImports(pointingNowhere)).toBeUndefined();
  });
});

describe('judgeDchu', () => {
  let dir: string;
  const packageFile = async (name: string, bytes: Buffer): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hwdash-dchu-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes a declarative driver whose binaries are not readable PE images, in a CAB and in an HLKX', async () => {
    const passed = { isDeclarativeInf: true, isUniversal: true, findings: [], coInstallerInfs: [] };
    expect(await judgeDchu(await packageFile('good.cab', driverCab()))).toEqual(passed);
    expect(await judgeDchu(await packageFile('good.hlkx', await driverHlkx({ extension: true })))).toEqual(passed);
  });

  it('fails a legacy driver on both counts, saying why, and names the INFs that install a co-installer', async () => {
    expect(await judgeDchu(await packageFile('legacy.cab', legacyDriverCab()))).toEqual({ isDeclarativeInf: false, isUniversal: false, findings: LEGACY_FINDINGS, coInstallerInfs: [] });
    const coInstaller = await judgeDchu(await packageFile('coinstaller.cab', legacyDriverCab({ coInstaller: true })));
    expect(coInstaller.coInstallerInfs).toEqual(['legacy/legacy.inf']);
    expect(coInstaller.findings).toContain('legacy/legacy.inf: [Install.NT.CoInstallers]: DDInstall.CoInstallers sections are not allowed');
  });
});
