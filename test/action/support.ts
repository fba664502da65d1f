/**
 * Running the action's bundle the way the GitHub runner does: `node dist-action/index.js` with the inputs as
 * `INPUT_*` variables and the `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY` files, in an environment with nothing else.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanEnv, ROOT } from '../cli/support.js';

export const BUNDLE = join(ROOT, 'dist-action', 'index.js');

export function assertBundled(): void {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build:action\`.`);
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Everything the run left for a person to see, for secret searches. */
  everything: string;
}

/** Reads the `name<<delimiter … delimiter` blocks of a GITHUB_OUTPUT file (later ones win, as on the runner). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^([^\n<]+)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2\n/gm)) outputs[match[1]!] = match[3]!;
  return outputs;
}

/** Runs the bundle with these inputs (`package`, `out-dir`, …) in `workdir`, as a step of a job would. */
export async function runAction(workdir: string, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  const outputFile = join(workdir, `github-output-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const summaryFile = `${outputFile}-summary.md`;
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]));
  const child = spawn(process.execPath, [BUNDLE], {
    cwd: workdir,
    env: cleanEnv({ CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, ...inputEnv, ...env }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const outputText = await readFile(outputFile, 'utf8');
  const summary = await readFile(summaryFile, 'utf8');
  return { code, stdout, stderr, outputs: parseOutputFile(outputText), summary, everything: [stdout, stderr, outputText, summary].join('\n') };
}

/** The log without the `::add-mask::` commands, which are the only lines allowed to carry a secret. */
export function withoutMaskCommands(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}
