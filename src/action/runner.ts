/**
 * The GitHub Actions runner's conventions, as `@actions/core` implements them: inputs arrive as `INPUT_<NAME>`
 * variables, outputs and the job summary go to the files named by `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`, and
 * workflow commands (`::add-mask::`, `::error::`, groups) are lines on stdout with `%`, CR and LF escaped.
 *
 * Written here rather than taken from `@actions/core`: these forty lines are the whole of what the action needs, and
 * `@actions/core` would bring `@actions/http-client` and `@actions/exec` into a bundle that should stay small and
 * start fast.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';

/** An input as the runner passes it: `INPUT_` and the name upper-cased with spaces as `_`, trimmed; '' when absent. */
export function getInput(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** A boolean input, read as YAML 1.2's core schema reads one (`true`/`True`/`TRUE`, `false`/…); '' gives `fallback`. */
export function getBooleanInput(name: string, fallback: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const value = getInput(name, env);
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new TypeError(`input "${name}" must be true or false, not "${value}"`);
}

/** `%`, CR and LF would end or break a workflow command: the runner reads them back from these escapes. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function issueCommand(command: string, message: string): void {
  process.stdout.write(`::${command}::${escapeData(message)}${EOL}`);
}

/** Masks a value in the log from here on; each line of a multi-line value is masked on its own as well. */
export function setSecret(value: string): void {
  if (!value) return;
  issueCommand('add-mask', value);
  for (const line of value.split(/\r?\n/)) if (line && line !== value) issueCommand('add-mask', line);
}

/** Sets a step output through the `GITHUB_OUTPUT` file, with a heredoc delimiter that the value cannot contain. */
export function setOutput(name: string, value: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) {
    // A runner older than the file commands: the deprecated stdout command still works there.
    process.stdout.write(`${EOL}::set-output name=${name}::${escapeData(value)}${EOL}`);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`output ${name} contains its own delimiter`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
}

/** Appends Markdown to the job summary page; without `GITHUB_STEP_SUMMARY` (not on a runner) there is none. */
export function appendSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, markdown.endsWith(EOL) ? markdown : `${markdown}${EOL}`, 'utf8');
  return true;
}
