/**
 * Azurite, the official Azure Storage emulator, as the sandbox's blob store. Its blob service runs in a child
 * process: its in-memory extents then do not count against the caller's heap (the upload memory tests measure
 * the caller), and stopping it cannot leave servers or timers behind in the caller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import { AzuriteStartError } from './azurite-start-error.js';

/** Azurite's built-in development account (documented, public, not a secret). */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface StartAzuriteOptions {
  /**
   * Port to listen on.
   * @default 0 (the operating system picks a free port)
   */
  port?: number;
  /**
   * Listening address. Only loopback: the emulator accepts the well-known account key from anyone.
   * @default '127.0.0.1'
   */
  host?: '127.0.0.1';
  /**
   * How long to wait for the emulator to listen before giving up.
   * @default 180_000 (readiness is the log line; the bound only catches an emulator that never starts, and a busy machine can take a minute)
   */
  startTimeoutMs?: number;
  /** Aborting while starting stops the emulator and rejects; aborting later stops it. */
  signal?: AbortSignal;
  /**
   * Where blob contents live. `memory` keeps them in the emulator's heap: fastest, but every byte uploaded stays
   * resident until the emulator stops (three 320 MiB submits take it past 2 GB). `disk` writes them to a fresh temporary
   * folder that is removed when the emulator stops, even when its parent is killed; the emulator's memory then stays
   * flat whatever is stored. Metadata stays small either way.
   * @default 'memory'
   */
  persistence?: 'memory' | 'disk';
}

export interface AzuriteHandle {
  /** e.g. `http://127.0.0.1:41234/devstoreaccount1` */
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
  /** A connection string for `BlobServiceClient.fromConnectionString`. */
  connectionString: string;
  /** The emulator's process id (for diagnostics). */
  pid: number;
  /** The temporary folder holding the blobs with `persistence: 'disk'`; removed by {@link stop}. */
  location?: string;
  /** Stops the emulator; all its data is lost. Idempotent. */
  stop(): Promise<void>;
}

const LISTENING_PATTERN = /successfully listens on https?:\/\/[^\s:]+:(\d+)/;
/** Enough of the emulator's output to explain a failed start, without unbounded growth over a long run. */
const OUTPUT_TAIL_CHARS = 8_192;
const STOP_GRACE_MS = 3_000;

/** Resolved lazily: Azurite is a large dependency that only the sandbox and tests need. */
function azuriteBlobEntryPoint(): string {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve('azurite/dist/src/blob/main.js');
  } catch (cause) {
    throw new AzuriteStartError('The azurite package is not installed; install it (npm install azurite) to use the local blob store.', {
      cause,
    });
  }
}

/** Starts Azurite's blob service on loopback (blobs in memory or in a temporary folder) and waits until it accepts connections. */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<AzuriteHandle> {
  const { port = 0, host = '127.0.0.1', startTimeoutMs = 180_000, signal, persistence = 'memory' } = options;
  signal?.throwIfAborted();
  const entryPoint = azuriteBlobEntryPoint();
  const location = persistence === 'disk' ? mkdtempSync(join(tmpdir(), 'hwdash-azurite-')) : undefined;
  const removeLocation = (): void => {
    if (location) rmSync(location, { recursive: true, force: true });
  };
  const child = spawnAzurite(entryPoint, host, port, location);
  const output = outputTail(child);

  const killOnExit = (): void => {
    child.kill('SIGKILL');
    removeLocation();
  };
  process.on('exit', killOnExit);

  let listeningPort: number;
  try {
    listeningPort = await waitUntilListening(child, output, startTimeoutMs, signal);
  } catch (error) {
    await terminate(child);
    process.off('exit', killOnExit);
    removeLocation();
    throw error;
  }

  const stop = stopper(child, signal, () => {
    process.off('exit', killOnExit);
    // The emulator removes it on a clean exit; this covers the SIGKILL after the grace time.
    removeLocation();
  });
  detach(child);

  const blobEndpoint = `http://${host}:${listeningPort}/${AZURITE_ACCOUNT_NAME}`;
  return {
    blobEndpoint,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
    pid: child.pid!,
    ...(location ? { location } : {}),
    stop,
  };
}

/** Runs the emulator's blob service in a child Node process, with blobs in `location` or in memory. */
function spawnAzurite(entryPoint: string, host: string, port: number, location: string | undefined): ChildProcess {
  // Azurite switches to SQL metadata or other accounts when these are set; the sandbox needs the defaults.
  const env = { ...process.env };
  delete env.AZURITE_DB;
  delete env.AZURITE_ACCOUNTS;

  // The IPC channel doubles as a lifeline: when this process dies for any reason (even SIGKILL) the channel
  // closes and the preamble below ends the emulator, so it can never outlive us. On its way out the emulator removes
  // its blob folder itself, since a killed parent cannot.
  const preamble = [
    `process.on('disconnect', () => process.exit(0));`,
    location ? `process.on('exit', () => require('node:fs').rmSync(${JSON.stringify(location)}, { recursive: true, force: true }));` : '',
    `process.argv.splice(1, 0, ${JSON.stringify(entryPoint)});`,
    `require(${JSON.stringify(entryPoint)});`,
  ].join('');
  const args = [
    '-e',
    preamble,
    '--',
    '--blobHost',
    host,
    '--blobPort',
    String(port),
    ...(location ? ['--location', location] : ['--inMemoryPersistence']),
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
    '--disableTelemetry',
  ];
  return spawn(process.execPath, args, {
    cwd: tmpdir(),
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    windowsHide: true,
  });
}

/** Keeps the last {@link OUTPUT_TAIL_CHARS} of the emulator's stdout and stderr; the returned function reads them. */
function outputTail(child: ChildProcess): () => string {
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return () => output;
}

/** The handle's idempotent stop, also run when `signal` aborts; `release` runs once the emulator has ended. */
function stopper(child: ChildProcess, signal: AbortSignal | undefined, release: () => void): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= terminate(child).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      release();
    });
    return stopping;
  };
  const onAbort = (): void => void stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  return stop;
}

/** Nothing in the parent should stay alive just because an emulator is running. */
function detach(child: ChildProcess): void {
  child.unref();
  child.channel?.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
}

function waitUntilListening(child: ChildProcess, output: () => string, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let seen = '';
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (message: string, cause?: unknown): void => {
      cleanup();
      const tail = output().trim();
      reject(new AzuriteStartError(`${message}${tail ? `\nAzurite output:\n${tail}` : ''}`, cause === undefined ? undefined : { cause }));
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = LISTENING_PATTERN.exec(seen);
      if (match) {
        cleanup();
        resolve(Number(match[1]));
      }
    };
    const onExit = (code: number | null, signalName: NodeJS.Signals | null): void =>
      fail(`Azurite exited before it was ready (${signalName ?? `exit code ${code}`}).`);
    const onError = (error: Error): void => fail(`Azurite could not be started: ${error.message}`, error);
    const onAbort = (): void => {
      cleanup();
      reject(signal!.reason);
    };
    const timer = setTimeout(() => fail(`Azurite did not start listening within ${timeoutMs} ms.`), timeoutMs);
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Ends the emulator: closing the IPC channel makes it exit at once; SIGKILL if it does not within the grace time. */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill('SIGKILL');
  });
}

export interface CreateSasUrlOptions {
  /**
   * Blob SAS permissions, e.g. `'r'` (download URLs) or `'rwl'` (the service's upload URLs). `l` (list) only means
   * something on a container, so it is dropped here: the storage SDK refuses it on a blob SAS.
   */
  permissions: string;
  expiresOn: Date;
  /** @default one minute before now, so a slightly fast clock in the emulator does not reject the URL */
  startsOn?: Date;
}

/** Creates `container` if needed and returns a shared-key blob SAS URL for `blobName`, as the service hands out. */
export async function createSasUrl(
  handle: Pick<AzuriteHandle, 'blobEndpoint' | 'accountName' | 'accountKey'>,
  container: string,
  blobName: string,
  options: CreateSasUrlOptions,
): Promise<string> {
  const credential = new StorageSharedKeyCredential(handle.accountName, handle.accountKey);
  const containerClient = new BlobServiceClient(handle.blobEndpoint, credential).getContainerClient(container);
  await containerClient.createIfNotExists();
  const sas = generateBlobSASQueryParameters(
    {
      containerName: container,
      blobName,
      permissions: BlobSASPermissions.parse(options.permissions.replaceAll('l', '')),
      startsOn: options.startsOn ?? new Date(Date.now() - 60_000),
      expiresOn: options.expiresOn,
    },
    credential,
  );
  return `${containerClient.getBlobClient(blobName).url}?${sas.toString()}`;
}
