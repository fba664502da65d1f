/**
 * From INF TargetOSVersion decorations (`NTamd64.10.0...16299`) to the dashboard's OS codes (reference 2.16).
 *
 * The mapping covers the Windows 10 and later releases the OS code list names, since those are what attestation and
 * current HLK submissions sign for. For each release it picks, per [Manufacturer] entry, the models section Windows
 * itself would pick there: matching architecture, the highest OS version not above the release's, a product type
 * match preferred over none.
 */

export type WindowsArchitecture = 'x86' | 'amd64' | 'arm64';

/** One OS code and the Windows release it stands for. */
export interface WindowsRelease {
  readonly code: string;
  readonly architecture: WindowsArchitecture;
  /** The release's OS build number (10240 for TH1 ... 26100 for GE). */
  readonly build: number;
  readonly edition: 'client' | 'server';
}

const RELEASE_BUILDS = {
  TH1: 10240,
  TH2: 10586,
  RS1: 14393,
  RS2: 15063,
  RS3: 16299,
  RS4: 17134,
  RS5: 17763,
  '19H1': 18362,
  VB: 19041,
  FE: 20348,
  CO: 22000,
  NI: 22621,
  GE: 26100,
} as const;
type ReleaseName = keyof typeof RELEASE_BUILDS;

function releases(architecture: WindowsArchitecture, edition: 'client' | 'server', names: readonly ReleaseName[]): WindowsRelease[] {
  const infix = { x86: '', amd64: 'X64_', arm64: 'ARM64_' }[architecture];
  const server = edition === 'server' ? 'SERVER_' : '';
  return names.map((name) => ({ code: `WINDOWS_v100_${server}${infix}${name}_FULL`, architecture, build: RELEASE_BUILDS[name], edition }));
}

/**
 * Every Windows 10+ OS code of the documented list, by release. x86 ends with VB (Windows 11 has no 32-bit
 * edition); ARM64 starts with RS3, the first release on ARM64; the list has no ARM64 RS5 code and server codes only
 * for the server releases (2016 = TH1..RS1 previews and RS1, 2019 = RS5, 2022 = FE, 2025 = GE).
 */
export const WINDOWS_RELEASES: readonly WindowsRelease[] = [
  ...releases('x86', 'client', ['TH1', 'TH2', 'RS1', 'RS2', 'RS3', 'RS4', 'RS5', '19H1', 'VB']),
  ...releases('amd64', 'client', ['TH1', 'TH2', 'RS1', 'RS2', 'RS3', 'RS4', 'RS5', '19H1', 'VB', 'CO', 'NI', 'GE']),
  ...releases('amd64', 'server', ['TH1', 'TH2', 'RS1', 'RS5', 'FE', 'GE']),
  ...releases('arm64', 'client', ['RS3', 'RS4', '19H1', 'VB', 'CO', 'NI', 'GE']),
  ...releases('arm64', 'server', ['FE', 'GE']),
];

/** A parsed TargetOSVersion decoration. Absent fields were not written. */
export interface TargetOsDecoration {
  /** As written; `''` for an undecorated models section. */
  readonly text: string;
  /** `undefined` for `NT` without platform and for the undecorated section, which Windows uses on x86 only. */
  readonly architecture?: string;
  readonly major?: number;
  readonly minor?: number;
  readonly productType?: number;
  readonly suiteMask?: number;
  readonly build?: number;
}

/**
 * Parses `nt[Architecture][.[OSMajorVersion][.[OSMinorVersion][.[ProductType][.[SuiteMask][.[BuildNumber]]]]]]`.
 * Returns `undefined` for text that is not such a decoration.
 */
export function parseTargetOsDecoration(text: string): TargetOsDecoration | undefined {
  if (text === '') return { text };
  const fields = text.split('.');
  const platform = /^nt(x86|amd64|arm64|arm|ia64)?$/i.exec(fields[0] ?? '');
  if (!platform || fields.length > 6) return undefined;
  const numbers: (number | undefined)[] = [];
  for (const field of fields.slice(1)) {
    if (field === '') numbers.push(undefined);
    else if (/^(0x[0-9a-f]+|\d+)$/i.test(field)) numbers.push(Number(field));
    else return undefined;
  }
  const [major, minor, productType, suiteMask, build] = numbers;
  return {
    text,
    ...(platform[1] ? { architecture: platform[1].toLowerCase() } : {}),
    ...(major !== undefined ? { major } : {}),
    ...(minor !== undefined ? { minor } : {}),
    ...(productType !== undefined ? { productType } : {}),
    ...(suiteMask !== undefined ? { suiteMask } : {}),
    ...(build !== undefined ? { build } : {}),
  };
}

const VER_NT_WORKSTATION = 1;

/**
 * Whether Windows would consider a models section with this decoration on a release. Suite-mask sections are left
 * out: they target editions within a release (Datacenter, Embedded...), which no OS code can express.
 */
export function decorationApplies(decoration: TargetOsDecoration, release: WindowsRelease): boolean {
  const architecture = decoration.architecture ?? 'x86';
  if (architecture !== release.architecture) return false;
  if (decoration.suiteMask !== undefined && decoration.suiteMask !== 0) return false;
  if (decoration.productType !== undefined) {
    const server = decoration.productType !== VER_NT_WORKSTATION;
    if (server !== (release.edition === 'server')) return false;
  }
  const major = decoration.major ?? 0;
  const minor = decoration.minor ?? 0;
  if (major !== 10 || minor !== 0) return major < 10;
  // The build number counts only when the decoration's version equals the release's (10.0).
  return decoration.build === undefined || release.build >= decoration.build;
}

/**
 * Picks the decoration Windows would use on a release among those of one [Manufacturer] entry (include `''` when the
 * undecorated models section exists): the highest OS version, then build, then a product-type match, then an explicit
 * platform over none.
 */
export function selectDecoration(decorations: readonly string[], release: WindowsRelease): string | undefined {
  let best: { text: string; score: number[] } | undefined;
  for (const text of decorations) {
    const decoration = parseTargetOsDecoration(text);
    if (!decoration || !decorationApplies(decoration, release)) continue;
    const score = [
      text === '' ? -1 : (decoration.major ?? 0),
      decoration.minor ?? 0,
      decoration.build ?? 0,
      decoration.productType === undefined ? 0 : 1,
      decoration.architecture === undefined ? 0 : 1,
    ];
    if (!best || compareScores(score, best.score) > 0) best = { text, score };
  }
  return best?.text;
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

