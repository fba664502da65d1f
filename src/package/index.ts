/**
 * Driver package formats: CAB and Zip (HLKX/HCKX) readers, INF files, preflight checks, and the driver metadata the
 * service derives from a package.
 */
export {
  driverMetadataFromPackage,
  driverMetadataFromInfs,
  packageBundleId,
  type DriverMetadata,
  type DriverMetadataBundle,
  type DriverMetadataInf,
  type DriverMetadataPnpInfo,
  type DriverMetadataOptions,
  type PackageInf,
} from './driver-metadata.js';
export {
  readDriverVer,
  MISSING_DRIVER_VERSION,
  type DriverVerRule,
  type DriverVerFinding,
  type DriverVerValue,
  type DriverVerReading,
} from './driver-ver.js';
export {
  parseInf,
  readDriverInf,
  decodeInfText,
  EXTENSION_CLASS_GUID,
  type InfDocument,
  type InfSection,
  type InfLine,
  type InfVersion,
  type InfManufacturer,
  type InfModels,
  type InfDevice,
  type DriverInf,
} from './inf.js';
export { infKind, INF_SIGNATURES, type InfKind } from './inf-kind.js';
export {
  WINDOWS_RELEASES,
  parseTargetOsDecoration,
  decorationApplies,
  selectDecoration,
  type WindowsRelease,
  type WindowsArchitecture,
  type TargetOsDecoration,
} from './target-os.js';
export { openPackage } from './open-package.js';
export {
  openFolderPackage,
  isInfPath,
  sniffFormat,
  sniffFile,
  DEFAULT_MAX_READ_BYTES,
  type PackageReader,
  type PackageFile,
  type PackageContainer,
  type PackageReadResult,
  type PackageReadOptions,
  type SniffedFormat,
} from './package-reader.js';
export { CabArchive, listCab, extractCabFile, type CabFile, type CabFolder, type CabHeader, type CabCompression } from './cab.js';
export { ZipArchive, type ZipFileEntry } from './zip.js';
export {
  preflightPackage,
  assertPreflight,
  type PreflightHarness,
  type PreflightKind,
  type PreflightRule,
  type PreflightProblem,
  type PreflightResult,
  type PreflightOptions,
} from './preflight.js';
export { PreflightError } from './preflight-error.js';
export { PackageFormatError, type PackageFormatReason, type PackageFormatErrorOptions } from './package-format-error.js';
export { UnsupportedCompressionError } from './unsupported-compression-error.js';
