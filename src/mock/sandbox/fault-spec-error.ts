/** A `--faults` specification that cannot be parsed: a usage error (exit code 1). */
export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}
