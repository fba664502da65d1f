/** Where the built CLI is, and whether it is there: the CLI benchmarks measure the build users run. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../', import.meta.url));

export function cliBuilt(): boolean {
  return existsSync(CLI_MAIN);
}
