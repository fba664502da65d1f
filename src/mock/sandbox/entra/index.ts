/**
 * The sandbox's Microsoft Entra ID stand-in: a token service on its own https origin that unmodified MSAL,
 * `@azure/identity` and plain OAuth clients sign in against with client secrets, certificates or federated
 * assertions, and that answers mistakes with Entra ID's own AADSTS errors. The API side checks the tokens it issues
 * ({@link BearerCheck}).
 */
import type { SandboxClock } from '../clock.js';
import { EntraDirectory, type EntraApplication } from './directory.js';
import { startEntraServer, type EntraRequestRecord } from './entra-server.js';
import { IssuerKeys } from './issuer-keys.js';
import { PersonSignIn } from './person-sign-in.js';
import { SigningKey } from './signing-key.js';
import { createStandInTls } from './tls.js';
import { TokenService } from './token-endpoint.js';
import { createBearerCheck, type BearerCheck } from './bearer-check.js';

export type { EntraApplication, FederatedCredential } from './directory.js';
export type { EntraRequestRecord } from './entra-server.js';
export type { BearerCheck } from './bearer-check.js';

export interface EntraOptions {
  /** Port on 127.0.0.1. @default 0 (a free one) */
  port?: number;
  /** The only tenant that exists (a GUID). @default any tenant ID or domain name */
  tenantId?: string;
  /**
   * Registered applications. With none, any client ID signs in with any secret or assertion, and the API accepts any
   * bearer token. With some, only they sign in, and the API accepts only tokens this stand-in issued. @default none
   */
  applications?: EntraApplication[];
  /** Access-token lifetime in sandbox seconds (scaled by the clock, never under 2 real minutes). @default 3599 */
  tokenLifetimeSeconds?: number;
}

export interface EntraStandIn {
  /** `https://127.0.0.1:PORT`: the value for `AZURE_AUTHORITY_HOST`. */
  authorityHost: string;
  /** The CA certificate file to trust: `NODE_EXTRA_CA_CERTS`, `REQUESTS_CA_BUNDLE`, `curl --cacert`. */
  caCertificatePath: string;
  caCertificate: string;
  /** The configured tenant, if any. */
  tenantId?: string;
  /** Whether applications are registered (the API then accepts only this stand-in's tokens). */
  readonly strict: boolean;
  /** Every request answered so far. */
  readonly requests: readonly EntraRequestRecord[];
  /** Registers (or replaces) an application while running. */
  register(application: EntraApplication): void;
  /** Checks a bearer token presented to the API. */
  checkBearer: BearerCheck;
  stop(): Promise<void>;
}

export async function startEntraStandIn(options: EntraOptions, clock: SandboxClock): Promise<EntraStandIn> {
  const directory = new EntraDirectory(options);
  const [tls, key] = await Promise.all([createStandInTls(), SigningKey.generate()]);
  try {
    const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;
    const personSignIn = new PersonSignIn({ directory, key, clock, tokenLifetimeSeconds });
    const tokens = new TokenService({ directory, key, issuerKeys: new IssuerKeys(), clock, tokenLifetimeSeconds, personSignIn });
    const server = await startEntraServer(options.port ?? 0, { tls, directory, key, tokens, personSignIn });
    let stopping: Promise<void> | undefined;
    return {
      authorityHost: server.origin,
      caCertificatePath: tls.caCertificatePath,
      caCertificate: tls.caCertificate,
      ...(directory.tenantId ? { tenantId: directory.tenantId } : {}),
      get strict() {
        return directory.strict;
      },
      get requests() {
        return server.requests;
      },
      register: (application) => directory.register(application),
      checkBearer: createBearerCheck({ directory, key, clock, origin: server.origin }),
      stop() {
        stopping ??= server.close().finally(() => tls.remove());
        return stopping;
      },
    };
  } catch (error) {
    await tls.remove();
    throw error;
  }
}
