/**
 * Windows INF files: the syntax (sections, `key = value` lines, `;` comments, `\` continuations, quoted strings,
 * `%strkey%` tokens) and the parts of a driver INF that the dashboard's driver metadata is built from: [Version],
 * [Manufacturer] with its TargetOSVersion decorations, the models sections' device lines, and [TargetComputers].
 */
import { readDriverVer, type DriverVerFinding, type DriverVerValue } from './driver-ver.js';

/** One logical line of a section (continuations joined, comment removed). */
export interface InfLine {
  /** Text left of the first unquoted `=`, unquoted and trimmed; absent for lines without `=`. */
  readonly key?: string;
  /** Comma-separated fields right of `=` (or of the whole line), each unquoted and trimmed. Tokens are not expanded. */
  readonly values: readonly string[];
  /** Everything right of `=` (or the whole line), trimmed but otherwise raw: quotes and commas kept. */
  readonly rawValue: string;
  /** 1-based physical line number where the logical line starts. */
  readonly lineNumber: number;
}

export interface InfSection {
  /** The name as first written. Section names are case-insensitive. */
  readonly name: string;
  readonly lines: readonly InfLine[];
}

/** A parsed INF: its sections, string table and token expansion. */
export interface InfDocument {
  /** Sections in file order. A name written twice is one section, as Windows merges them. */
  readonly sections: readonly InfSection[];
  /** Case-insensitive lookup. */
  section(name: string): InfSection | undefined;
  /** The first line with this key (case-insensitive) in a section. */
  value(section: string, key: string): InfLine | undefined;
  /**
   * Replaces `%strkey%` tokens with their [Strings] values and `%%` with `%`. Directory IDs (`%13%`) and unknown tokens
   * are kept as written; unknown tokens are recorded in `diagnostics`.
   */
  expand(text: string): string;
  /** Problems found while parsing or expanding: undefined string tokens, unterminated quotes, lines outside sections. */
  readonly diagnostics: string[];
}

/**
 * Turns INF bytes into text: UTF-16 (LE or BE) or UTF-8 by their BOM, UTF-16LE without BOM when the bytes look like
 * it, else UTF-8 if valid, else Windows-1252 (what "ANSI" INFs on a Western system are).
 */
export function decodeInfText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) return new TextDecoder('utf-16le').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Parses INF text, or INF bytes in any encoding `decodeInfText` accepts. */
export function parseInf(input: string | Uint8Array): InfDocument {
  const text = typeof input === 'string' ? input : decodeInfText(input);
  const diagnostics: string[] = [];
  const sections = new Map<string, { name: string; lines: InfLine[] }>();
  let current: { name: string; lines: InfLine[] } | undefined;
  let pending = '';
  let pendingStart = 0;

  const physical = text.split(/\r\n|\r|\n/);
  physical.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const { content, unterminatedQuote } = stripComment(rawLine);
    if (unterminatedQuote) diagnostics.push(`line ${lineNumber}: a quoted string is not closed`);
    let trimmed = content.trim();
    if (pending === '') pendingStart = lineNumber;
    // A trailing backslash continues the line, so long device lines can be wrapped.
    if (trimmed.endsWith('\\') && index < physical.length - 1) {
      pending += trimmed.slice(0, -1);
      return;
    }
    trimmed = pending + trimmed;
    pending = '';
    if (trimmed === '') return;
    if (trimmed.startsWith('[')) {
      const close = trimmed.indexOf(']');
      if (close < 0) {
        diagnostics.push(`line ${lineNumber}: section header without ']'`);
        current = undefined;
        return;
      }
      const name = trimmed.slice(1, close).trim();
      const key = name.toLowerCase();
      current = sections.get(key) ?? { name, lines: [] };
      sections.set(key, current);
      return;
    }
    if (!current) {
      diagnostics.push(`line ${lineNumber}: text before the first section is ignored`);
      return;
    }
    current.lines.push(parseLine(trimmed, pendingStart));
  });

  const strings = stringTable(sections);
  const document: InfDocument = {
    sections: [...sections.values()],
    section: (name) => sections.get(name.toLowerCase()),
    value: (section, key) => sections.get(section.toLowerCase())?.lines.find((line) => line.key?.toLowerCase() === key.toLowerCase()),
    expand: (value) =>
      value.replace(/%([^%]*)%/g, (token, name: string) => {
        if (name === '') return '%';
        // %10%, %13%...: directory IDs, resolved by Windows at install time, not strings.
        if (/^\d+$/.test(name)) return token;
        const replacement = strings.get(name.toLowerCase());
        if (replacement !== undefined) return replacement;
        const note = `%${name}% is not defined in [Strings]`;
        if (!diagnostics.includes(note)) diagnostics.push(note);
        return token;
      }),
    diagnostics,
  };
  return document;
}

/**
 * The string table: [Strings], with gaps filled from [Strings.0409] (US English) and then other localized [Strings.*]
 * sections, because Windows falls back to the undecorated section and hwdash has no system locale to match.
 */
function stringTable(sections: ReadonlyMap<string, { lines: InfLine[] }>): Map<string, string> {
  const ordered = [...sections.entries()]
    .filter(([key]) => key === 'strings' || key.startsWith('strings.'))
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const table = new Map<string, string>();
  for (const [, section] of ordered) {
    for (const line of section.lines) {
      if (line.key === undefined) continue;
      const key = line.key.toLowerCase();
      if (!table.has(key)) table.set(key, unquote(line.rawValue));
    }
  }
  return table;

  function rank(key: string): number {
    return key === 'strings' ? 0 : key === 'strings.0409' ? 1 : 2;
  }
}

/** Removes a `;` comment that is outside quotes. */
function stripComment(line: string): { content: string; unterminatedQuote: boolean } {
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '"') inQuote = !inQuote;
    else if (char === ';' && !inQuote) return { content: line.slice(0, i), unterminatedQuote: false };
  }
  return { content: line, unterminatedQuote: inQuote };
}

function parseLine(text: string, lineNumber: number): InfLine {
  const equals = indexOutsideQuotes(text, '=');
  if (equals < 0) return { values: splitFields(text), rawValue: text, lineNumber };
  const rawValue = text.slice(equals + 1).trim();
  return { key: unquote(text.slice(0, equals).trim()), values: splitFields(rawValue), rawValue, lineNumber };
}

function indexOutsideQuotes(text: string, wanted: string): number {
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') inQuote = !inQuote;
    else if (char === wanted && !inQuote) return i;
  }
  return -1;
}

function splitFields(text: string): string[] {
  if (text === '') return [];
  const fields: string[] = [];
  let start = 0;
  for (;;) {
    const comma = indexOutsideQuotes(text.slice(start), ',');
    if (comma < 0) {
      fields.push(unquote(text.slice(start).trim()));
      return fields;
    }
    fields.push(unquote(text.slice(start, start + comma).trim()));
    start += comma + 1;
  }
}

/**
 * Removes INF quoting: quoted runs lose their quotes, `""` inside them is a literal quote, and unquoted runs are kept
 * as they are (`"Contoso" Inc` is `Contoso Inc`).
 */
export function unquote(text: string): string {
  if (!text.includes('"')) return text;
  let result = '';
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char !== '"') result += char;
    else if (inQuote && text[i + 1] === '"') {
      result += '"';
      i++;
    } else inQuote = !inQuote;
  }
  return result;
}

/** [Version] facts, with tokens expanded. */
export interface InfVersion {
  signature?: string;
  class?: string;
  classGuid?: string;
  provider?: string;
  /**
   * From `DriverVer = mm/dd/yyyy[,w.x.y.z]` (`-` may separate the date fields too); absent when the directive is
   * missing or breaks a rule that blocks a submission. `DriverInf.driverVerFindings` names every rule it breaks,
   * warnings included.
   */
  driverVer?: DriverVerValue;
  /** `CatalogFile`, or the first decorated `CatalogFile.<platform>` when only those exist. */
  catalogFile?: string;
  extensionId?: string;
}

/** One [Manufacturer] entry: `%Mfg% = Models, NTamd64, NTarm64` or just `Models`. */
export interface InfManufacturer {
  /** The manufacturer's name, expanded. */
  name: string;
  /** The models section name before decorations. */
  modelsSection: string;
  /** TargetOSVersion decorations as written (`NTamd64`, `NTamd64.10.0...16299`). */
  decorations: string[];
  /**
   * The models sections of this entry that exist, undecorated one included, empty ones too: an empty section is how
   * an INF excludes an OS version.
   */
  models: InfModels[];
}

export interface InfModels {
  /** The full section name as written, e.g. `Contoso.NTamd64.10.0...16299`. */
  sectionName: string;
  /** `''` for the undecorated section. */
  decoration: string;
  devices: InfDevice[];
}

/** One device line of a models section. */
export interface InfDevice {
  manufacturer: string;
  deviceDescription: string;
  installSection: string;
  /** The hardware ID followed by any compatible IDs, as listed. */
  hardwareIds: string[];
  /** The full models section name the line came from, e.g. `Contoso.NTamd64.10.0...16299`. */
  modelsSection: string;
  /** The decoration of that section (`''` for the undecorated section). */
  decoration: string;
}

export interface DriverInf {
  version: InfVersion;
  /** An extension INF (Class=Extension, or the Extension class GUID). */
  isExtension: boolean;
  manufacturers: InfManufacturer[];
  /** Device lines of every models section the [Manufacturer] entries name, in [Manufacturer] order. */
  devices: InfDevice[];
  /** CHIDs from [TargetComputers] (GUIDs without braces, lower case): the computers the INF may install on. */
  targetComputers: string[];
  /** What breaks the rules of the INF DriverVer directive in [Version], problems and warnings, each named by its rule. */
  driverVerFindings: DriverVerFinding[];
  /** Looks up a directive (e.g. `FeatureScore`) in an install section (case-insensitive), expanded. */
  installDirective(installSection: string, key: string): string | undefined;
  diagnostics: string[];
}

/** The Extension setup class (devguid.h GUID_DEVCLASS_EXTENSION). */
export const EXTENSION_CLASS_GUID = '{e2f84ce7-8efa-411c-aa69-97454ca4cb57}';

/** Reads the driver facts of an INF. */
export function readDriverInf(input: string | Uint8Array | InfDocument): DriverInf {
  const doc = typeof input === 'string' || input instanceof Uint8Array ? parseInf(input) : input;
  const expanded = (section: string, key: string): string | undefined => {
    const line = doc.value(section, key);
    return line ? doc.expand(line.values[0] ?? '') : undefined;
  };

  const version: InfVersion = {};
  const signature = expanded('Version', 'Signature');
  if (signature !== undefined) version.signature = signature;
  const cls = expanded('Version', 'Class');
  if (cls !== undefined) version.class = cls;
  const classGuid = expanded('Version', 'ClassGuid');
  if (classGuid !== undefined) version.classGuid = classGuid;
  const provider = expanded('Version', 'Provider');
  if (provider !== undefined) version.provider = provider;
  const extensionId = expanded('Version', 'ExtensionId');
  if (extensionId !== undefined) version.extensionId = extensionId;
  const catalog =
    expanded('Version', 'CatalogFile') ??
    doc.section('Version')?.lines.find((line) => line.key?.toLowerCase().startsWith('catalogfile.'))?.values[0];
  if (catalog !== undefined) version.catalogFile = doc.expand(catalog);
  const driverVerLine = doc.value('Version', 'DriverVer');
  const driverVer = readDriverVer(driverVerLine?.values.map((v) => doc.expand(v)));
  if (driverVer.value) version.driverVer = driverVer.value;
  if (driverVerLine && driverVer.malformed) {
    doc.diagnostics.push(`line ${driverVerLine.lineNumber}: DriverVer "${driverVerLine.rawValue}" is not mm/dd/yyyy[,w.x.y.z]`);
  }

  const manufacturers: InfManufacturer[] = [];
  for (const line of doc.section('Manufacturer')?.lines ?? []) {
    const modelsSection = line.values[0];
    if (!modelsSection) continue;
    const name = doc.expand(line.key ?? modelsSection);
    const decorations = line.values.slice(1).filter((decoration) => decoration !== '');
    const models: InfModels[] = [];
    for (const decoration of ['', ...decorations]) {
      const sectionName = decoration === '' ? modelsSection : `${modelsSection}.${decoration}`;
      const section = doc.section(sectionName);
      if (!section) {
        // The undecorated section is optional; a decorated one the INF names must exist.
        if (decoration !== '') doc.diagnostics.push(`[Manufacturer] names models section [${sectionName}], which the INF does not have`);
        continue;
      }
      const devices: InfDevice[] = [];
      for (const deviceLine of section.lines) {
        const installSection = deviceLine.values[0];
        if (deviceLine.key === undefined || !installSection) continue;
        devices.push({
          manufacturer: name,
          deviceDescription: doc.expand(deviceLine.key),
          installSection,
          hardwareIds: deviceLine.values.slice(1).map((id) => doc.expand(id)).filter((id) => id !== ''),
          modelsSection: section.name,
          decoration,
        });
      }
      models.push({ sectionName: section.name, decoration, devices });
    }
    manufacturers.push({ name, modelsSection, decorations, models });
  }
  const devices = manufacturers.flatMap((manufacturer) => manufacturer.models.flatMap((models) => models.devices));

  const targetComputers = (doc.section('TargetComputers')?.lines ?? [])
    .map((line) => line.values[0] ?? '')
    .map((chid) => chid.replace(/^\{|\}$/g, '').toLowerCase())
    .filter((chid) => chid !== '');

  const isExtension = version.class?.toLowerCase() === 'extension' || version.classGuid?.toLowerCase() === EXTENSION_CLASS_GUID;
  return {
    version,
    isExtension,
    manufacturers,
    devices,
    targetComputers,
    driverVerFindings: driverVer.findings,
    installDirective: (installSection, key) => expanded(installSection, key),
    diagnostics: doc.diagnostics,
  };
}
