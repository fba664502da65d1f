/**
 * The DLLs a Windows binary (PE: .sys, .dll, .exe) imports, read from its import directory. The sandbox judges a
 * submission's `isUniversal` (the Universal API test) by them.
 */

/** Import descriptors read at most: far above real binaries, a bound against a crafted file. */
const MAX_IMPORTS = 4096;

/** The imported module names, lower case, or undefined when the bytes are not a PE image this reader understands. */
export function peImports(bytes: Buffer): string[] | undefined {
  try {
    return readImports(bytes);
  } catch (error) {
    // A truncated or crafted header reads past the end: not a PE image worth judging.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function readImports(bytes: Buffer): string[] | undefined {
  if (bytes.length < 0x40 || bytes.toString('latin1', 0, 2) !== 'MZ') return undefined;
  const pe = bytes.readUInt32LE(0x3c);
  if (bytes.toString('latin1', pe, pe + 4) !== 'PE\0\0') return undefined;
  const sectionCount = bytes.readUInt16LE(pe + 6);
  const optionalSize = bytes.readUInt16LE(pe + 20);
  const optional = pe + 24;
  const magic = bytes.readUInt16LE(optional);
  // PE32 and PE32+ differ in where the data directories start.
  const directories = magic === 0x10b ? optional + 96 : magic === 0x20b ? optional + 112 : undefined;
  if (directories === undefined) return undefined;
  const directoryCount = bytes.readUInt32LE(directories - 4);
  if (directoryCount < 2) return [];
  const importRva = bytes.readUInt32LE(directories + 8);
  if (importRva === 0) return [];

  const sections = Array.from({ length: sectionCount }, (_, index) => {
    const at = optional + optionalSize + index * 40;
    return { virtualAddress: bytes.readUInt32LE(at + 12), size: Math.max(bytes.readUInt32LE(at + 8), bytes.readUInt32LE(at + 16)), raw: bytes.readUInt32LE(at + 20) };
  });
  const offsetOf = (rva: number): number => {
    const section = sections.find((candidate) => rva >= candidate.virtualAddress && rva < candidate.virtualAddress + candidate.size);
    if (!section) throw new RangeError(`RVA ${rva} is in no section`);
    return section.raw + (rva - section.virtualAddress);
  };

  const names: string[] = [];
  for (let index = 0; index < MAX_IMPORTS; index += 1) {
    const descriptor = offsetOf(importRva) + index * 20;
    const nameRva = bytes.readUInt32LE(descriptor + 12);
    if (nameRva === 0) break;
    const start = offsetOf(nameRva);
    const end = bytes.indexOf(0, start);
    if (end < 0) throw new RangeError('unterminated import name');
    names.push(bytes.toString('latin1', start, end).toLowerCase());
  }
  return names;
}
