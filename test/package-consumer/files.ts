/**
 * The fresh project that scripts/check-package.ts installs the packed tarball into. Its files live here as
 * text rather than as .ts files in the repository: as real files, the repository's own `tsc` would type-check
 * them against the package's self-reference (dist/), which does not exist before a build.
 */

/** What the consumer imports, type-checked under NodeNext and Bundler resolution, then run by Node itself. */
const consumerTs = `import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { once } from 'node:events';
import { createHdcClient, driverMetadataFromPackage, HdcError, type DriverMetadata, type HdcClientOptions, type Submission } from 'hwdash';
import { startSandbox, type SandboxOptions } from 'hwdash/mock';
import spec from 'hwdash/spec' with { type: 'json' };

// The package's types are real, not \`any\`: a wrong option type must be rejected (type-checked, never run).
// @ts-expect-error baseUrl is a string
const rejected = (): unknown => createHdcClient({ baseUrl: 42 });
void rejected;
const sandboxOptions: SandboxOptions = {};
void sandboxOptions;
// The driver package layer is public too: metadata derivation, typed.
const metadata: (path: string) => Promise<DriverMetadata> = driverMetadataFromPackage;
void metadata;
void startSandbox;

const submissionBody = '{"id":1152921504621465124,"productId":14631253285588838,"name":"Contoso driver","type":"initial","commitStatus":"commitPending"}';
const seen: { url?: string; headers?: IncomingHttpHeaders } = {};
const server = createServer((request, response) => {
  seen.url = request.url;
  seen.headers = request.headers;
  response.writeHead(200, { 'content-type': 'application/json' }).end(submissionBody);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
try {
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  const options: HdcClientOptions = { baseUrl: \`http://127.0.0.1:\${address.port}/v2.0/my/hardware\`, token: 'consumer-token' };
  const client = createHdcClient(options);
  const { data, error } = await client.GET('/products/{productId}/submissions/{submissionId}', {
    params: { path: { productId: '14631253285588838', submissionId: '1152921504621465124' } },
  });
  assert.equal(error, undefined);
  const submission: Submission | undefined = data;
  assert.equal(submission?.id, '1152921504621465124');
  assert.equal(seen.url, '/v2.0/my/hardware/products/14631253285588838/submissions/1152921504621465124');
  assert.equal(seen.headers?.authorization, 'Bearer consumer-token');
  assert.ok(new HdcError('x', { status: 500 }) instanceof Error);
} finally {
  server.close();
}
assert.equal((spec as { openapi: string }).openapi, '3.1.0');
assert.match(import.meta.resolve('hwdash/mock'), /\\/node_modules\\/hwdash\\/dist\\/src\\/mock\\/index\\.js$/);
console.log('consumer: createHdcClient made a typed call with exact IDs; hwdash/mock and hwdash/spec loaded');
`;

const tsconfig = (module: string, moduleResolution: string): string =>
  JSON.stringify(
    {
      compilerOptions: {
        // No \`lib\`: TypeScript's default for the target, as a fresh \`tsc --init\` project has (msw's types need DOM).
        target: 'ES2023',
        module,
        moduleResolution,
        resolveJsonModule: true,
        strict: true,
        noUncheckedIndexedAccess: true,
        // The package's declarations and everything they reference are checked too.
        skipLibCheck: false,
        noEmit: true,
        allowImportingTsExtensions: true,
        types: ['node'],
      },
      files: ['consumer.ts'],
    },
    null,
    2,
  );

/**
 * Run in a child process after `import('hwdash')`: lists the packages under node_modules that the import
 * resolved (import and require both pass through module.registerHooks), to prove the CLI's extras stay unloaded.
 */
const loadedPackagesMjs = `import { registerHooks } from 'node:module';
const urls = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    urls.add(result.url);
    return result;
  },
});
await import('hwdash');
const packages = new Set();
for (const url of urls) {
  const match = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(url);
  if (match) packages.add(match[1]);
}
console.log(JSON.stringify([...packages].sort()));
`;

/** Prints import time and retained heap after importing the module named on the command line (if any); run with --expose-gc. */
const importCostMjs = `const start = performance.now();
if (process.argv[2]) await import(process.argv[2]);
const importMs = performance.now() - start;
globalThis.gc();
const { heapUsed, rss } = process.memoryUsage();
console.log(JSON.stringify({ importMs, heapUsed, rss }));
`;

export function consumerFiles(deps: Record<string, string>): Record<string, string> {
  return {
    'package.json': JSON.stringify({ name: 'hwdash-consumer', private: true, type: 'module', dependencies: deps }, null, 2),
    'consumer.ts': consumerTs,
    'tsconfig.nodenext.json': tsconfig('NodeNext', 'NodeNext'),
    'tsconfig.bundler.json': tsconfig('ESNext', 'Bundler'),
    'loaded-packages.mjs': loadedPackagesMjs,
    'import-cost.mjs': importCostMjs,
  };
}
