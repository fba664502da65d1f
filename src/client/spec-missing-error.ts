/** `generated/openapi.json` is missing next to the sources: the package is broken or `npm run generate` never ran. */
export class SpecMissingError extends Error {
  override name = 'SpecMissingError';
}
