/**
 * A minimal Windows PE32+ image whose import directory names the given modules: enough for the sandbox's import
 * reader, which is all it is for. It does not run anywhere.
 */
const FILE_ALIGNMENT = 0x200;
const SECTION_RVA = 0x1000;

export function buildPe(imports: readonly string[]): Buffer {
  const pe = 0x40;
  const optional = pe + 24;
  const optionalSize = 112 + 16 * 8;
  const sectionTable = optional + optionalSize;

  // Section data: the import descriptors (20 bytes each, a zero one last), then the module names.
  const descriptors = Buffer.alloc(20 * (imports.length + 1));
  const names = imports.map((name) => Buffer.from(`${name}\0`, 'latin1'));
  let nameOffset = descriptors.length;
  imports.forEach((_, index) => {
    descriptors.writeUInt32LE(SECTION_RVA + nameOffset, index * 20 + 12);
    nameOffset += names[index]!.length;
  });
  const data = Buffer.concat([descriptors, ...names]);
  const rawSize = Math.ceil(data.length / FILE_ALIGNMENT) * FILE_ALIGNMENT;

  const image = Buffer.alloc(FILE_ALIGNMENT + rawSize);
  image.write('MZ', 0, 'latin1');
  image.writeUInt32LE(pe, 0x3c);
  image.write('PE\0\0', pe, 'latin1');
  image.writeUInt16LE(0x8664, pe + 4); // x64
  image.writeUInt16LE(1, pe + 6); // one section
  image.writeUInt16LE(optionalSize, pe + 20);
  image.writeUInt16LE(0x2022, pe + 22); // executable, large-address aware, DLL
  image.writeUInt16LE(0x20b, optional); // PE32+
  image.writeUInt32LE(16, optional + 108); // data directories
  image.writeUInt32LE(SECTION_RVA, optional + 112 + 8); // import directory RVA
  image.writeUInt32LE(descriptors.length, optional + 112 + 12);
  image.write('.idata', sectionTable, 'latin1');
  image.writeUInt32LE(data.length, sectionTable + 8);
  image.writeUInt32LE(SECTION_RVA, sectionTable + 12);
  image.writeUInt32LE(rawSize, sectionTable + 16);
  image.writeUInt32LE(FILE_ALIGNMENT, sectionTable + 20);
  data.copy(image, FILE_ALIGNMENT);
  return image;
}
