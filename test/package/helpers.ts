import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';

/** A temporary folder per test file, removed afterwards. */
export async function makeTempDir(): Promise<{ dir: string; path: (name: string) => string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hwdash-package-'));
  return { dir, path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface ZipEntrySpec {
  path: string;
  bytes?: Uint8Array;
  /** A folder entry instead of a file. */
  directory?: boolean;
}

/** Writes a Zip with yazl; `zip64` forces Zip64 records everywhere (what large HLK packages end up with). */
export async function writeZip(filePath: string, entries: readonly ZipEntrySpec[], options: { zip64?: boolean } = {}): Promise<void> {
  const zip = new yazl.ZipFile();
  const mtime = new Date(Date.UTC(2024, 0, 2));
  for (const entry of entries) {
    if (entry.directory) zip.addEmptyDirectory(entry.path, { mtime });
    else zip.addBuffer(Buffer.from(entry.bytes ?? new Uint8Array()), entry.path, { mtime, forceZip64Format: options.zip64 ?? false });
  }
  zip.end({ forceZip64Format: options.zip64 ?? false, comment: '' });
  const out = createWriteStream(filePath);
  zip.outputStream.pipe(out);
  await finished(out);
}

/** A minimal valid driver INF for one PnP device. */
export function driverInf(options: { hardwareId?: string; decorations?: string; extra?: string } = {}): string {
  const decorations = options.decorations ?? 'NTamd64';
  const sections = decorations
    .split(',')
    .map((d) => d.trim())
    .map((d) => `[Models.${d}]\r\n%Dev% = Dev_Install, ${options.hardwareId ?? 'USB\\VID_1111&PID_2222'}\r\n`)
    .join('\r\n');
  return [
    '[Version]',
    'Signature = "$Windows NT$"',
    'Class = USBDevice',
    'ClassGuid = {88BAE032-5A81-49f0-BC3D-A4FF138216D6}',
    'Provider = %Mfg%',
    'CatalogFile = test.cat',
    'DriverVer = 05/06/2024,2.0.0.1',
    '',
    '[Manufacturer]',
    `%Mfg% = Models, ${decorations}`,
    '',
    sections,
    options.extra ?? '',
    '[Strings]',
    'Mfg = "Fabrikam"',
    'Dev = "Fabrikam Test Device"',
    '',
  ].join('\r\n');
}

/** XORs one byte of a buffer in place (damages a fixture at a chosen spot). */
export function flipByte(bytes: Buffer, index: number, mask: number): void {
  bytes.writeUInt8(bytes.readUInt8(index) ^ mask, index);
}

/** Deterministic pseudo-random bytes (xorshift32), so fuzz-style tests are reproducible. */
export function pseudoRandomBytes(length: number, seed = 0x2545f491): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
