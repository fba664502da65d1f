/**
 * `npm run demo`: the whole driver-signing flow, offline. Builds the sample driver package, then runs the built
 * CLI exactly as a user would:
 *
 *   hwdash submit examples/out/sample-driver.cab --sandbox --out examples/out/signed --label "…"
 *
 * which starts an embedded sandbox (and its Azurite), creates a product and a submission, uploads, commits, waits
 * for signing, downloads the signed package and driver metadata, and creates a shipping label from that metadata.
 * The CLI's progress is streamed as it happens; a summary follows.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SubmitOutput } from '../src/cli/submit-flow.js';
import { buildExamplePackage } from './build-example-package.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const PACKAGE = join(ROOT, 'examples', 'out', 'sample-driver.cab');
const OUT = join(ROOT, 'examples', 'out', 'signed');
/** Sandbox seconds per real second: the sandbox's ~65 s of ingestion pass in about half a second. */
const SPEED = '120';


const started = Date.now();
await stat(CLI).catch(() => {
  process.stderr.write(`${relative(ROOT, CLI)} is missing: run \`npm run build\` first (\`npm run demo\` does).\n`);
  process.exit(1);
});

const built = await buildExamplePackage(PACKAGE);
process.stderr.write(`built ${relative(ROOT, built.path)} from examples/sample-driver (${built.files.join(', ')})\n\n`);

const args = [CLI, 'submit', PACKAGE, '--sandbox', '--sandbox-speed', SPEED, '--out', OUT, '--label', 'Contoso HWDash sample to Windows Update', '--json'];
process.stderr.write(`$ hwdash ${args.slice(1).map((arg) => (/\s/.test(arg) ? JSON.stringify(arg) : relative(ROOT, arg) || arg)).join(' ')}\n`);

// Progress goes to stderr (inherited, so it renders live); the result is the JSON on stdout.
const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['inherit', 'pipe', 'inherit'] });
let stdout = '';
child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
// Ctrl-C reaches the CLI too (same process group); let it cancel and clean up, then exit with its code.
process.on('SIGINT', () => undefined);
const code = await new Promise<number>((done) => child.on('close', (exitCode, signal) => done(exitCode ?? (signal ? 9 : 1))));
if (code !== 0) {
  process.stderr.write(`\nhwdash submit failed with exit code ${code}.\n`);
  process.exit(code);
}

const result = JSON.parse(stdout) as SubmitOutput;
const signed = await stat(result.signedPackagePath);
const metadata = await stat(result.driverMetadataPath);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
process.stdout.write(
  [
    '',
    'Signed, offline, against the embedded sandbox:',
    `  signed package   ${relative(ROOT, result.signedPackagePath)} (${signed.size} bytes)`,
    `  driver metadata  ${relative(ROOT, result.driverMetadataPath)} (${metadata.size} bytes)`,
    `  product          ${result.productId}`,
    `  submission       ${result.submissionId}`,
    `  shipping label   ${result.shippingLabelId ?? '(none)'}${result.shippingLabelPath ? ` (${relative(ROOT, result.shippingLabelPath)})` : ''}`,
    `  time             ${result.seconds} s for the signing flow, ${seconds} s in all`,
    '',
    'Next: `hwdash sandbox` keeps a sandbox running to try every command; `hwdash --help` lists them.',
    '',
  ].join('\n'),
);
