/**
 * The Microsoft Cabinet format of [MS-CAB]: structure sizes, flags, compression types and the checksum, shared by the
 * reader (`cab.ts`, `cab-directory.ts`) and the test suite's writer.
 */
import type { PackageFile } from './package-reader.js';

/** `MSCF`, the first four bytes of every cabinet. */
export const CAB_SIGNATURE = Buffer.from('MSCF', 'latin1');
/** Fixed part of CFHEADER. */
export const CFHEADER_SIZE = 36;
/** Fixed part of CFFOLDER. */
export const CFFOLDER_SIZE = 8;
/** Fixed part of CFFILE, before the name. */
export const CFFILE_SIZE = 16;
/** Fixed part of CFDATA, before the per-block reserve and the data. */
export const CFDATA_SIZE = 8;
/** Largest uncompressed size of one CFDATA block, and the MSZIP history window. */
export const CAB_BLOCK_SIZE = 32768;
/** Longest file name, in bytes, without the terminating NUL (CB_MAX_FILENAME - 1). */
export const CAB_MAX_NAME_BYTES = 255;

export const FLAG_PREV_CABINET = 0x0001;
export const FLAG_NEXT_CABINET = 0x0002;
export const FLAG_RESERVE_PRESENT = 0x0004;
/** CFFILE attribute: the name is UTF-8 rather than the system code page. */
export const ATTRIBUTE_NAME_IS_UTF = 0x80;

/** CFFOLDER typeCompress values (the low four bits), by name. */
export const COMPRESSION_TYPES = { none: 0, mszip: 1, quantum: 2, lzx: 3 } as const;
export const COMPRESSION_NAMES: Record<number, CabCompression> = Object.fromEntries(Object.entries(COMPRESSION_TYPES).map(([name, type]) => [type, name as CabCompression]));

/** A CFFILE iFolder at or above this value means the file continues from or into another cabinet of a set. */
export const IFOLD_CONTINUED_FROM_PREV = 0xfffd;
/** The two bytes that start every MSZIP block. */
export const MSZIP_SIGNATURE = 0x4b43; // 'CK' read little-endian

export type CabCompression = 'none' | 'mszip' | 'quantum' | 'lzx' | `type ${number}`;

export interface CabFolder {
  readonly index: number;
  /** Offset of the folder's first CFDATA block in the cabinet. */
  readonly dataOffset: number;
  readonly blockCount: number;
  readonly compression: CabCompression;
}

export interface CabFile extends PackageFile {
  /** Index into `folders` of the folder holding the data. */
  readonly folderIndex: number;
  /** Offset of the file's first byte in the folder's uncompressed data. */
  readonly folderOffset: number;
}

/** What the cabinet header says about itself. */
export interface CabHeader {
  /** `cbCabinet`: total size of the cabinet in bytes. */
  readonly size: number;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly setId: number;
  readonly cabinetIndex: number;
  /** Size of the per-cabinet reserved area (where signtool keeps the Authenticode signature's location). */
  readonly headerReserveSize: number;
  readonly folderReserveSize: number;
  readonly dataReserveSize: number;
}

/**
 * The CAB checksum of [MS-CAB] 2.2.4 ("CSUMCompute"): XOR of little-endian 32-bit words, the 1 to 3 leftover bytes
 * packed in reverse order. Exported for the writer, which must produce what the reader verifies.
 */
export function cabChecksum(bytes: Uint8Array, seed = 0): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const whole = buffer.length - (buffer.length % 4);
  let sum = seed >>> 0;
  for (let i = 0; i < whole; i += 4) sum ^= buffer.readUInt32LE(i);
  let tail = 0;
  for (let i = whole; i < buffer.length; i++) tail = (tail << 8) | buffer[i]!;
  return (sum ^ tail) >>> 0;
}

/** Checksum of one CFDATA block: its data, then its header fields after `csum` (sizes and reserve). */
export function cabDataChecksum(headerAfterChecksum: Uint8Array, data: Uint8Array): number {
  return cabChecksum(headerAfterChecksum, cabChecksum(data, 0));
}
