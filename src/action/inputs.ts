/** The action's inputs (see action.yml), read and checked before anything is sent. */
import { ActionInputError } from './action-input-error.js';
import { getBooleanInput, getInput } from './runner.js';

export interface ActionInputs {
  package: string;
  productId?: string;
  productName?: string;
  /** OS codes the product is signed for, when the action creates it. */
  signatures?: string[];
  submissionName?: string;
  outDir: string;
  label: boolean;
  labelName?: string;
  labelOsCodes?: string[];
  labelDestination: 'windowsUpdate' | 'anotherPartner';
  labelRecipient?: string;
  baseUrl?: string;
  token?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  pollIntervalMs: number;
  waitTimeoutMs: number;
}

/** A list input: one item per line or comma. */
function listInput(name: string, env: NodeJS.ProcessEnv): string[] | undefined {
  const items = getInput(name, env)
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function optional(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return getInput(name, env) || undefined;
}

function positiveNumber(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const text = getInput(name, env);
  if (text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new ActionInputError(`input "${name}" must be a positive number, not "${text}"`);
  return value;
}

function digits(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const value = optional(name, env);
  if (value !== undefined && !/^[0-9]+$/.test(value)) throw new ActionInputError(`input "${name}" must be decimal digits (an ID such as 14631253285588838), not "${value}"`);
  return value;
}

export function readInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const packagePath = getInput('package', env);
  if (!packagePath) throw new ActionInputError('input "package" is required: the path of the driver package (.cab, .hlkx or .hckx)');
  const productId = digits('product-id', env);
  const productName = optional('product-name', env);
  if (productId && productName) throw new ActionInputError('give "product-id" (an existing product) or "product-name" (a product to create), not both');
  const destination = getInput('label-destination', env) || 'windowsUpdate';
  if (destination !== 'windowsUpdate' && destination !== 'anotherPartner') {
    throw new ActionInputError(`input "label-destination" must be windowsUpdate or anotherPartner, not "${destination}"`);
  }
  const tenantId = optional('tenant-id', env);
  const clientId = optional('client-id', env);
  const clientSecret = optional('client-secret', env);
  if (Boolean(tenantId) !== Boolean(clientId)) throw new ActionInputError('"tenant-id" and "client-id" go together');
  if (clientSecret && !clientId) throw new ActionInputError('"client-secret" needs "tenant-id" and "client-id"');
  const baseUrl = optional('base-url', env);
  if (baseUrl !== undefined && !URL.canParse(baseUrl)) throw new ActionInputError(`input "base-url" must be a URL, not "${baseUrl}"`);
  let label: boolean;
  try {
    label = getBooleanInput('label', false, env);
  } catch (error) {
    throw new ActionInputError((error as Error).message);
  }
  return {
    package: packagePath,
    ...(productId ? { productId } : {}),
    ...(productName ? { productName } : {}),
    ...(listInput('signatures', env) ? { signatures: listInput('signatures', env)! } : {}),
    ...(optional('submission-name', env) ? { submissionName: optional('submission-name', env)! } : {}),
    outDir: getInput('out-dir', env) || 'signed',
    label,
    ...(optional('label-name', env) ? { labelName: optional('label-name', env)! } : {}),
    ...(listInput('label-os-codes', env) ? { labelOsCodes: listInput('label-os-codes', env)! } : {}),
    labelDestination: destination,
    ...(digits('label-recipient', env) ? { labelRecipient: digits('label-recipient', env)! } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(optional('token', env) ? { token: optional('token', env)! } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(clientId ? { clientId } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    pollIntervalMs: Math.round(positiveNumber('poll-interval', 5, env) * 1000),
    waitTimeoutMs: Math.round(positiveNumber('wait-timeout-minutes', 120, env) * 60_000),
  };
}
