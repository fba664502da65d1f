/**
 * The account a person signed in with (`hwdash login`): `@azure/identity`'s AuthenticationRecord (user name, tenant,
 * home account ID, client ID, authority), which tells a later run which cached sign-in to use. It holds no token.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthenticationRecord } from '@azure/identity';

export function accountFile(configDirectory: string, profileName: string): string {
  return join(configDirectory, 'accounts', `${profileName}.json`);
}

export async function readAccount(configDirectory: string, profileName: string): Promise<AuthenticationRecord | undefined> {
  const { deserializeAuthenticationRecord } = await import('@azure/identity');
  const text = await readFile(accountFile(configDirectory, profileName), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : deserializeAuthenticationRecord(text);
}

export async function saveAccount(configDirectory: string, profileName: string, record: AuthenticationRecord): Promise<string> {
  const { serializeAuthenticationRecord } = await import('@azure/identity');
  const file = accountFile(configDirectory, profileName);
  await mkdir(join(configDirectory, 'accounts'), { recursive: true, mode: 0o700 });
  await writeFile(file, `${serializeAuthenticationRecord(record)}\n`, { mode: 0o600 });
  return file;
}

export async function removeAccount(configDirectory: string, profileName: string): Promise<boolean> {
  const file = accountFile(configDirectory, profileName);
  const existed = await readFile(file).then(
    () => true,
    () => false,
  );
  await rm(file, { force: true });
  return existed;
}
