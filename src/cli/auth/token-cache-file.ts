/**
 * Where a person's sign-in (`hwdash login`) is kept between runs: MSAL's token cache (refresh tokens, so a secret) in a
 * file readable by its owner only, as the Azure CLI keeps its own on Linux. `@azure/identity` keeps persistent caches
 * through a plugin; its own (`@azure/identity-cache-persistence`) needs native keychain modules that do not install on
 * a plain CI machine, so hwdash plugs in this file-based one through the same `useIdentityPlugin` contract.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The part of MSAL's cache plugin contract used here (`ICachePlugin` of @azure/msal-node). */
interface TokenCacheContext {
  readonly cacheHasChanged: boolean;
  readonly tokenCache: { serialize(): string; deserialize(cache: string): void };
}
interface CachePlugin {
  beforeCacheAccess(context: TokenCacheContext): Promise<void>;
  afterCacheAccess(context: TokenCacheContext): Promise<void>;
}
/** What `useIdentityPlugin` hands a plugin (`AzurePluginContext` of @azure/identity). */
interface IdentityPluginContext {
  cachePluginControl: { setPersistence(factory: (options?: { name?: string }) => Promise<CachePlugin>): void };
}

/** The token cache's folder inside the config folder. */
export function tokenCacheDirectory(configDirectory: string): string {
  return join(configDirectory, 'token-cache');
}

/** The `@azure/identity` plugin that keeps every persistent token cache as `<directory>/<name>.json`, mode 0600. */
export function fileTokenCachePlugin(directory: string): (context: unknown) => void {
  return (context) =>
    (context as IdentityPluginContext).cachePluginControl.setPersistence(async (options) => {
      const file = join(directory, `${(options?.name ?? 'msal').replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
      return {
        async beforeCacheAccess(cache) {
          const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') return undefined;
            throw error;
          });
          if (text) cache.tokenCache.deserialize(text);
        },
        async afterCacheAccess(cache) {
          if (!cache.cacheHasChanged) return;
          await mkdir(directory, { recursive: true, mode: 0o700 });
          // Written whole and renamed, so that a second hwdash reading it meanwhile never sees half a cache.
          const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
          await writeFile(partial, cache.tokenCache.serialize(), { mode: 0o600, flag: 'wx' });
          await rename(partial, file).catch(async (error: unknown) => {
            await rm(partial, { force: true });
            throw error;
          });
        },
      };
    });
}

/** Forgets the token caches whose names start with `prefix` (`hwdash logout`). */
export async function removeTokenCaches(directory: string, prefix: string): Promise<number> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const mine = names.filter((name) => name.startsWith(prefix));
  await Promise.all(mine.map((name) => rm(join(directory, name), { force: true })));
  return mine.length;
}
