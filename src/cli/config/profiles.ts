/**
 * Profiles: named sign-in settings in `$XDG_CONFIG_HOME/hwdash/config.json` (`~/.config/hwdash/config.json`;
 * `%APPDATA%\hwdash\config.json` on Windows). A profile says which tenant and app to sign in as, with which kind of
 * credential, and which API to call. It never holds a secret: secrets come from the environment (or, for a person's
 * sign-in, from the token cache `hwdash login` keeps beside it, readable by the owner only). A file that carries a
 * secret-looking field is refused rather than read, so a secret pasted into it is noticed.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../../workflow/atomic-file.js';
import { ConfigFileError } from './config-file-error.js';

/** How a profile signs in; each maps onto one `@azure/identity` credential. */
export const CREDENTIAL_KINDS = {
  default: 'DefaultAzureCredential: environment, workload identity, managed identity, then the developer tools',
  'azure-cli': 'the Azure CLI sign-in (az login)',
  'azure-developer-cli': 'the Azure Developer CLI sign-in (azd auth login)',
  'client-secret': 'an app with a client secret, taken from AZURE_CLIENT_SECRET',
  'client-certificate': 'an app with a certificate (certificatePath, or AZURE_CLIENT_CERTIFICATE_PATH)',
  'workload-identity': 'workload identity federation (the token file in AZURE_FEDERATED_TOKEN_FILE)',
  'managed-identity': 'the managed identity of the Azure machine (clientId for a user-assigned one)',
  'device-code': 'a person, signed in by `hwdash login --device-code`',
  browser: 'a person, signed in by `hwdash login` in the browser',
} as const;
export type CredentialKind = keyof typeof CREDENTIAL_KINDS;

export interface Profile {
  credential: CredentialKind;
  tenantId?: string;
  clientId?: string;
  /** The API root, when not the service's. */
  baseUrl?: string;
  /** The Entra ID host, when not `https://login.microsoftonline.com` (a national cloud, the sandbox's stand-in). */
  authorityHost?: string;
  /** client-certificate: the PEM file (a path is no secret; its password comes from AZURE_CLIENT_CERTIFICATE_PASSWORD). */
  certificatePath?: string;
}

export interface HwdashConfig {
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

const PROFILE_FIELDS = new Set(['credential', 'tenantId', 'clientId', 'baseUrl', 'authorityHost', 'certificatePath']);
const SECRET_LIKE = /secret|password|passphrase|token|assertion|key|credential_?value|sig$/i;
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The config folder: `$XDG_CONFIG_HOME/hwdash`, else the platform's usual place. */
export function configDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'hwdash');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'hwdash');
  return join(homedir(), '.config', 'hwdash');
}

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDirectory(env), 'config.json');
}

export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) throw new ConfigFileError(`"${name}" is not a usable profile name: use letters, digits, ".", "_" and "-" (up to 64).`, configFilePath());
  return name;
}

/** Reads the config file; a missing file is an empty config. */
export async function readConfig(file: string = configFilePath()): Promise<HwdashConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new ConfigFileError(`cannot read ${file}: ${(error as Error).message}`, file);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ConfigFileError(`${file} is not valid JSON: ${(error as Error).message}`, file);
  }
  return checkConfig(value, file);
}

/** Checks a config's shape: known fields only, known credential kinds, and no secrets. */
export function checkConfig(value: unknown, file: string): HwdashConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigFileError(`${file} must hold a JSON object with "profiles".`, file);
  const { defaultProfile, profiles = {}, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new ConfigFileError(`${file} has unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; known: defaultProfile, profiles.`, file);
  if (defaultProfile !== undefined && typeof defaultProfile !== 'string') throw new ConfigFileError(`${file}: defaultProfile must be a profile's name.`, file);
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) throw new ConfigFileError(`${file}: profiles must be an object of named profiles.`, file);
  const checked: Record<string, Profile> = {};
  for (const [name, profile] of Object.entries(profiles as Record<string, unknown>)) checked[name] = checkProfile(profile, `${file}: profile "${name}"`, file);
  if (defaultProfile !== undefined && !Object.hasOwn(checked, defaultProfile)) throw new ConfigFileError(`${file}: defaultProfile "${defaultProfile}" is not one of its profiles.`, file);
  return { ...(defaultProfile === undefined ? {} : { defaultProfile }), profiles: checked };
}

function checkProfile(value: unknown, where: string, file: string): Profile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigFileError(`${where} must be an object.`, file);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (PROFILE_FIELDS.has(key)) continue;
    if (SECRET_LIKE.test(key)) {
      throw new ConfigFileError(`${where} has "${key}": the config file never holds a secret. Remove it (and rotate it if it was real); secrets come from the environment (AZURE_CLIENT_SECRET, …).`, file);
    }
    throw new ConfigFileError(`${where} has unknown field "${key}"; known: ${[...PROFILE_FIELDS].join(', ')}.`, file);
  }
  if (typeof record.credential !== 'string' || !Object.hasOwn(CREDENTIAL_KINDS, record.credential)) {
    throw new ConfigFileError(`${where}: credential must be one of ${Object.keys(CREDENTIAL_KINDS).join(', ')}.`, file);
  }
  for (const key of ['tenantId', 'clientId', 'baseUrl', 'authorityHost', 'certificatePath']) {
    if (record[key] !== undefined && (typeof record[key] !== 'string' || record[key] === '')) throw new ConfigFileError(`${where}: ${key} must be a non-empty string.`, file);
  }
  for (const key of ['baseUrl', 'authorityHost']) {
    if (typeof record[key] === 'string' && !URL.canParse(record[key])) throw new ConfigFileError(`${where}: ${key} must be a URL.`, file);
  }
  return record as unknown as Profile;
}

/**
 * The profile a command uses: the one named by `--profile` (or HWDASH_PROFILE), else the config's default, else none.
 * A named profile that does not exist is an error; a missing default is not.
 */
export async function selectProfile(name: string | undefined, file: string = configFilePath()): Promise<{ name: string; profile: Profile; explicit: boolean } | undefined> {
  const config = await readConfig(file);
  if (name !== undefined) {
    const profile = config.profiles[name];
    if (!profile || !Object.hasOwn(config.profiles, name)) {
      const known = Object.keys(config.profiles);
      throw new ConfigFileError(`no profile "${name}" in ${file}${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}; create it with \`hwdash config init --profile ${name} …\`.`, file);
    }
    return { name, profile, explicit: true };
  }
  if (config.defaultProfile) return { name: config.defaultProfile, profile: config.profiles[config.defaultProfile]!, explicit: false };
  return undefined;
}

/** Writes the config file whole (a reader never sees half of it), after checking it as a reader would. */
export async function writeConfig(config: HwdashConfig, file: string = configFilePath()): Promise<void> {
  checkConfig(config, file);
  await writeFileAtomically(file, (handle) => handle.writeFile(`${JSON.stringify(config, null, 2)}\n`, 'utf8'));
}
