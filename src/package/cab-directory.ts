/**
 * Reads a cabinet's directory: CFHEADER, the CFFOLDER table and the CFFILE table. Every count and offset is checked
 * against the file before it is used, so a truncated or corrupt cabinet gives a `PackageFormatError`, never a crash
 * or a huge allocation.
 */
import type { FileHandle } from 'node:fs/promises';
import {
  ATTRIBUTE_NAME_IS_UTF,
  CAB_MAX_NAME_BYTES,
  CAB_SIGNATURE,
  CFFILE_SIZE,
  CFFOLDER_SIZE,
  CFHEADER_SIZE,
  COMPRESSION_NAMES,
  FLAG_NEXT_CABINET,
  FLAG_PREV_CABINET,
  FLAG_RESERVE_PRESENT,
  IFOLD_CONTINUED_FROM_PREV,
  type CabFile,
  type CabFolder,
  type CabHeader,
} from './cab-format.js';
import { PackageFormatError } from './package-format-error.js';

/** What the fixed header says, before the reserve and the tables are read. */
interface HeaderFields {
  size: number;
  filesOffset: number;
  versionMajor: number;
  versionMinor: number;
  folderCount: number;
  fileCount: number;
  flags: number;
  setId: number;
  cabinetIndex: number;
}

/** Reads header, folders and files of the cabinet open at `handle`. */
export async function readDirectory(
  filePath: string,
  handle: FileHandle,
): Promise<{ header: CabHeader; folders: CabFolder[]; files: CabFile[] }> {
  const fields = await readHeaderFields(filePath, handle);
  const { size, folderCount, fileCount, flags } = fields;
  let position = CFHEADER_SIZE;
  let headerReserveSize = 0;
  let folderReserveSize = 0;
  let dataReserveSize = 0;
  if (flags & FLAG_RESERVE_PRESENT) {
    const reserve = await readAt(filePath, handle, position, 4, size, 'the header reserve sizes');
    headerReserveSize = reserve.readUInt16LE(0);
    folderReserveSize = reserve.readUInt8(2);
    dataReserveSize = reserve.readUInt8(3);
    position += 4 + headerReserveSize;
  }
  const folderEntrySize = CFFOLDER_SIZE + folderReserveSize;
  const folderTable = await readAt(filePath, handle, position, folderCount * folderEntrySize, size, 'the folder table');
  const folders = readFolders(filePath, folderTable, folderCount, folderEntrySize, size);
  if (fileCount > 0 && (fields.filesOffset < position + folderTable.length || fields.filesOffset >= size)) {
    throw corruptError(filePath, `the file table offset ${fields.filesOffset} points outside the space between the folder table and the end of the cabinet`);
  }
  const files = await readFiles(filePath, handle, fields);
  const { versionMajor, versionMinor, setId, cabinetIndex } = fields;
  return {
    header: { size, versionMajor, versionMinor, setId, cabinetIndex, headerReserveSize, folderReserveSize, dataReserveSize },
    folders,
    files,
  };
}

/** The fixed CFHEADER fields, checked against the file: signature, version, size, single cabinet. */
async function readHeaderFields(filePath: string, handle: FileHandle): Promise<HeaderFields> {
  const fileSize = (await handle.stat()).size;
  const head = await readUpTo(handle, 0, CFHEADER_SIZE);
  if (head.length < 4 || !head.subarray(0, 4).equals(CAB_SIGNATURE)) {
    throw new PackageFormatError(
      'wrong-format',
      `${filePath} is not a Microsoft Cabinet: it does not start with 'MSCF'. Build the package with makecab (or another CAB tool).`,
      { filePath },
    );
  }
  if (head.length < CFHEADER_SIZE) throw truncatedError(filePath, 'the cabinet header');
  const fields: HeaderFields = {
    size: head.readUInt32LE(8),
    filesOffset: head.readUInt32LE(16),
    versionMinor: head.readUInt8(24),
    versionMajor: head.readUInt8(25),
    folderCount: head.readUInt16LE(26),
    fileCount: head.readUInt16LE(28),
    flags: head.readUInt16LE(30),
    setId: head.readUInt16LE(32),
    cabinetIndex: head.readUInt16LE(34),
  };
  const { size, versionMajor, versionMinor } = fields;
  if (versionMajor !== 1) {
    throw corruptError(filePath, `the header says CAB format version ${versionMajor}.${versionMinor}; only version 1.x exists`);
  }
  if (size < CFHEADER_SIZE) throw corruptError(filePath, `the header gives a cabinet size of ${size} bytes, less than the header itself`);
  if (size > fileSize) {
    throw new PackageFormatError(
      'truncated',
      `${filePath} is cut short: its header says the cabinet is ${size} bytes but the file has ${fileSize}. ` +
        'It was probably not copied or downloaded completely: build or fetch it again.',
      { filePath },
    );
  }
  if (fields.flags & (FLAG_PREV_CABINET | FLAG_NEXT_CABINET)) throw multiCabinetError(filePath, fields.cabinetIndex);
  return fields;
}

function readFolders(filePath: string, folderTable: Buffer, folderCount: number, folderEntrySize: number, size: number): CabFolder[] {
  const folders: CabFolder[] = [];
  for (let index = 0; index < folderCount; index++) {
    const at = index * folderEntrySize;
    const dataOffset = folderTable.readUInt32LE(at);
    const blockCount = folderTable.readUInt16LE(at + 4);
    const type = folderTable.readUInt16LE(at + 6) & 0x000f;
    if (blockCount > 0 && dataOffset >= size) {
      throw corruptError(filePath, `folder ${index} says its data starts at byte ${dataOffset}, beyond the cabinet's ${size} bytes`);
    }
    folders.push({ index, dataOffset, blockCount, compression: COMPRESSION_NAMES[type] ?? `type ${type}` });
  }
  return folders;
}

async function readFiles(filePath: string, handle: FileHandle, fields: HeaderFields): Promise<CabFile[]> {
  const { size, filesOffset, fileCount, folderCount, cabinetIndex } = fields;
  // The file table cannot be longer than fileCount maximal entries, nor run past the cabinet.
  const tableLength = Math.min(size - filesOffset, fileCount * (CFFILE_SIZE + CAB_MAX_NAME_BYTES + 1));
  const fileTable = fileCount > 0 ? await readAt(filePath, handle, filesOffset, tableLength, size, 'the file table') : Buffer.alloc(0);
  const files: CabFile[] = [];
  let at = 0;
  for (let index = 0; index < fileCount; index++) {
    if (at + CFFILE_SIZE > fileTable.length) throw truncatedError(filePath, `the file table (entry ${index} of ${fileCount})`);
    const fileSizeInFolder = fileTable.readUInt32LE(at);
    const folderOffset = fileTable.readUInt32LE(at + 4);
    const folderIndex = fileTable.readUInt16LE(at + 8);
    const attributes = fileTable.readUInt16LE(at + 14);
    const nameStart = at + CFFILE_SIZE;
    const nameEnd = fileTable.indexOf(0, nameStart);
    if (nameEnd < 0 || nameEnd - nameStart > CAB_MAX_NAME_BYTES) {
      if (nameEnd < 0 && fileTable.length - nameStart <= CAB_MAX_NAME_BYTES) {
        throw truncatedError(filePath, `the file table (the name of entry ${index})`);
      }
      throw corruptError(filePath, `file entry ${index} has a name longer than ${CAB_MAX_NAME_BYTES} bytes`);
    }
    const nameBytes = fileTable.subarray(nameStart, nameEnd);
    // Names are UTF-8 when flagged; otherwise in the creator's code page, for which Latin-1 is the closest guess.
    const name = nameBytes.toString(attributes & ATTRIBUTE_NAME_IS_UTF ? 'utf8' : 'latin1').replace(/\\/g, '/');
    at = nameEnd + 1;
    if (folderIndex >= IFOLD_CONTINUED_FROM_PREV) throw multiCabinetError(filePath, cabinetIndex);
    if (folderIndex >= folderCount) {
      throw corruptError(filePath, `file ${name} is in folder ${folderIndex}, but the cabinet has ${folderCount} folder(s)`);
    }
    if (name.length === 0) throw corruptError(filePath, `file entry ${index} has an empty name`);
    files.push({ path: name, size: fileSizeInFolder, folderIndex, folderOffset });
  }
  return files;
}

/** Reads exactly `length` bytes at `offset`, or throws `truncated` if the cabinet (of `limit` bytes) ends first. */
export async function readAt(filePath: string, handle: FileHandle, offset: number, length: number, limit: number, what: string): Promise<Buffer> {
  if (offset + length > limit) throw truncatedError(filePath, what);
  const bytes = await readUpTo(handle, offset, length);
  if (bytes.length < length) throw truncatedError(filePath, what);
  return bytes;
}

/** Reads up to `length` bytes at `offset`, looping because one read may return fewer bytes than asked. */
async function readUpTo(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

export function truncatedError(filePath: string, what: string): PackageFormatError {
  return new PackageFormatError(
    'truncated',
    `${filePath} is cut short: it ends inside ${what}. It was probably not copied or downloaded completely: build or fetch it again.`,
    { filePath },
  );
}

export function corruptError(filePath: string, detail: string, cause?: unknown): PackageFormatError {
  return new PackageFormatError('corrupt', `${filePath} is a damaged cabinet: ${detail}. Build the CAB again.`, { filePath, cause });
}

function multiCabinetError(filePath: string, cabinetIndex: number): PackageFormatError {
  return new PackageFormatError(
    'multi-cabinet',
    `${filePath} is part ${cabinetIndex + 1} of a multi-cabinet set, which the portal and hwdash cannot use. ` +
      'Build the package as one cabinet (makecab: .Set MaxDiskSize=0).',
    { filePath },
  );
}
