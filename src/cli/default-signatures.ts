/** What attestation signs for when the user does not say: current Windows 10/11 on x64 and ARM64. Kept light: `--help` reads it. */
export const DEFAULT_SIGNATURES = ['WINDOWS_v100_X64_VB_FULL', 'WINDOWS_v100_ARM64_VB_FULL'];
