/** Raised when the emulator cannot be started; the message carries its stderr. */
export class AzuriteStartError extends Error {
  override name = 'AzuriteStartError';
}
