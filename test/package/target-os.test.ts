import { describe, expect, it } from '@jest/globals';
import {
  WINDOWS_RELEASES,
  decorationApplies,
  parseTargetOsDecoration,
  selectDecoration,
} from '../../src/package/target-os.js';

/** The OS codes one decoration serves on its own. */
function codesFor(decoration: string): string[] {
  const parsed = parseTargetOsDecoration(decoration)!;
  return WINDOWS_RELEASES.filter((release) => decorationApplies(parsed, release)).map((release) => release.code);
}

const X64_CLIENT = ['TH1', 'TH2', 'RS1', 'RS2', 'RS3', 'RS4', 'RS5', '19H1', 'VB', 'CO', 'NI', 'GE'].map((r) => `WINDOWS_v100_X64_${r}_FULL`);
const X64_SERVER = ['TH1', 'TH2', 'RS1', 'RS5', 'FE', 'GE'].map((r) => `WINDOWS_v100_SERVER_X64_${r}_FULL`);
const ARM64 = ['RS3', 'RS4', '19H1', 'VB', 'CO', 'NI', 'GE'].map((r) => `WINDOWS_v100_ARM64_${r}_FULL`);
const ARM64_SERVER = ['FE', 'GE'].map((r) => `WINDOWS_v100_SERVER_ARM64_${r}_FULL`);
const X86 = ['TH1', 'TH2', 'RS1', 'RS2', 'RS3', 'RS4', 'RS5', '19H1', 'VB'].map((r) => `WINDOWS_v100_${r}_FULL`);

describe('TargetOSVersion decorations', () => {
  it('parses every field, empty fields and hex numbers', () => {
    expect(parseTargetOsDecoration('NTamd64.10.0...16299')).toEqual({ text: 'NTamd64.10.0...16299', architecture: 'amd64', major: 10, minor: 0, build: 16299 });
    expect(parseTargetOsDecoration('ntx86....0x80')).toEqual({ text: 'ntx86....0x80', architecture: 'x86', suiteMask: 128 });
    expect(parseTargetOsDecoration('NT.6.1.3')).toEqual({ text: 'NT.6.1.3', major: 6, minor: 1, productType: 3 });
    expect(parseTargetOsDecoration('')).toEqual({ text: '' });
    expect(parseTargetOsDecoration('Win10')).toBeUndefined();
    expect(parseTargetOsDecoration('NTamd64.ten')).toBeUndefined();
    expect(parseTargetOsDecoration('NTamd64.10.0.1.0.1.2')).toBeUndefined();
  });

  it('has the 36 Windows 10+ OS codes of the documented list', () => {
    expect(WINDOWS_RELEASES.map((r) => r.code).sort()).toEqual([...X86, ...X64_CLIENT, ...X64_SERVER, ...ARM64, ...ARM64_SERVER].sort());
    expect(new Set(WINDOWS_RELEASES.map((r) => r.code)).size).toBe(36);
  });

  it('maps platforms to OS codes: NTamd64 → x64, NTarm64 → ARM64, NTx86, NT and undecorated → x86', () => {
    expect(codesFor('NTamd64')).toEqual([...X64_CLIENT, ...X64_SERVER]);
    expect(codesFor('NTarm64')).toEqual([...ARM64, ...ARM64_SERVER]);
    expect(codesFor('NTx86')).toEqual(X86);
    expect(codesFor('NT')).toEqual(X86);
    expect(codesFor('')).toEqual(X86);
    expect(codesFor('NTarm')).toEqual([]);
    expect(codesFor('NTia64')).toEqual([]);
  });

  it('drops releases older than a .10.0...<build> minimum and honours versions and product types', () => {
    expect(codesFor('NTamd64.10.0...16299')).toEqual([
      ...X64_CLIENT.slice(4),
      'WINDOWS_v100_SERVER_X64_RS5_FULL',
      'WINDOWS_v100_SERVER_X64_FE_FULL',
      'WINDOWS_v100_SERVER_X64_GE_FULL',
    ]);
    expect(codesFor('NTarm64.10.0...22000')).toEqual(['WINDOWS_v100_ARM64_CO_FULL', 'WINDOWS_v100_ARM64_NI_FULL', 'WINDOWS_v100_ARM64_GE_FULL', 'WINDOWS_v100_SERVER_ARM64_GE_FULL']);
    expect(codesFor('NTamd64.6.1')).toEqual([...X64_CLIENT, ...X64_SERVER]);
    expect(codesFor('NTamd64.6.1...99999')).toEqual([...X64_CLIENT, ...X64_SERVER]); // build counts only for 10.0
    expect(codesFor('NTamd64.10.1')).toEqual([]);
    expect(codesFor('NTamd64.10.0.1')).toEqual(X64_CLIENT);
    expect(codesFor('NTamd64.10.0.3')).toEqual(X64_SERVER);
    expect(codesFor('NTamd64....0x80')).toEqual([]);
  });

  it('picks the section Windows would: highest version and build, then product type, then explicit platform', () => {
    const release = (code: string) => WINDOWS_RELEASES.find((r) => r.code === code)!;
    const entry = ['NTamd64', 'NTamd64.10.0...17763', 'NTamd64.10.0...22000'];
    expect(selectDecoration(entry, release('WINDOWS_v100_X64_RS4_FULL'))).toBe('NTamd64');
    expect(selectDecoration(entry, release('WINDOWS_v100_X64_RS5_FULL'))).toBe('NTamd64.10.0...17763');
    expect(selectDecoration(entry, release('WINDOWS_v100_X64_GE_FULL'))).toBe('NTamd64.10.0...22000');
    expect(selectDecoration(entry, release('WINDOWS_v100_ARM64_GE_FULL'))).toBeUndefined();
    expect(selectDecoration(['NTamd64.10.0', 'NTamd64.10.0.3'], release('WINDOWS_v100_SERVER_X64_FE_FULL'))).toBe('NTamd64.10.0.3');
    expect(selectDecoration(['NTamd64.10.0', 'NTamd64.10.0.3'], release('WINDOWS_v100_X64_VB_FULL'))).toBe('NTamd64.10.0');
    expect(selectDecoration(['', 'NT', 'NTx86'], release('WINDOWS_v100_RS1_FULL'))).toBe('NTx86');
    expect(selectDecoration(['', 'NT'], release('WINDOWS_v100_RS1_FULL'))).toBe('NT');
    expect(selectDecoration(['', 'NTamd64'], release('WINDOWS_v100_RS1_FULL'))).toBe('');
  });
});
