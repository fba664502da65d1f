/**
 * What the stand-in knows: its tenant and the applications registered in it, with their credentials (client
 * secrets, certificates, federated identity credentials) and whether the Partner Center account has them.
 *
 * With no applications registered it is *open*: any client ID signs in with any secret or well-formed assertion,
 * which is what `hwdash sandbox` without `--client-id` offers (the API then accepts any bearer token, as before).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { applicationNotFound, tenantNotFound } from './aadsts.js';

/** A federated identity credential: "trust tokens from this issuer about this subject". */
export interface FederatedCredential {
  /** e.g. `https://token.actions.githubusercontent.com`; compared case-sensitively, as Entra ID does. */
  issuer: string;
  /** e.g. `repo:contoso/drivers:ref:refs/heads/main`; compared case-sensitively. */
  subject: string;
  /** @default ['api://AzureADTokenExchange'] */
  audiences?: string[];
  /**
   * The issuer's signing keys. By default they are read the way Entra ID reads them: the issuer's
   * `/.well-known/openid-configuration`, then its `jwks_uri` (https, or http on loopback only).
   */
  jwks?: JSONWebKeySet;
}

export interface EntraApplication {
  /** The application (client) ID, a GUID. */
  clientId: string;
  /** Client secret values the app accepts. */
  secrets?: string[];
  /** PEM certificates (public part) registered on the app, for certificate credentials. */
  certificates?: string[];
  federatedCredentials?: FederatedCredential[];
  /**
   * Whether the app is associated with the Partner Center account. When false it still gets tokens, but the API
   * answers 403, as Partner Center does for an app it does not know. @default true
   */
  partnerCenterAccess?: boolean;
}

export interface RegisteredCertificate {
  /** base64url SHA-1 and SHA-256 of the DER, as in a client assertion's `x5t` and `x5t#S256` headers. */
  x5t: string;
  x5tS256: string;
  /** Upper-case hex SHA-1, the form Entra ID prints in its messages. */
  thumbprint: string;
  certificate: X509Certificate;
}

export interface Tenant {
  /** The tenant ID (GUID) that goes into `tid`. */
  id: string;
  /** What the client wrote in the path (a GUID or a domain name). */
  name: string;
}

/** One application as the token endpoint sees it; `open` when no application is registered. */
export interface DirectoryApplication {
  clientId: string;
  open: boolean;
  secrets: readonly string[];
  certificates: readonly RegisteredCertificate[];
  federatedCredentials: readonly FederatedCredential[];
  partnerCenterAccess: boolean;
  /** The service principal's object ID (`oid` and `sub` of its tokens), stable per tenant and client. */
  objectId: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

export class EntraDirectory {
  readonly #tenantId: string | undefined;
  readonly #applications = new Map<string, DirectoryApplication>();

  constructor(options: { tenantId?: string; applications?: EntraApplication[] } = {}) {
    if (options.tenantId !== undefined && !GUID.test(options.tenantId)) {
      throw new RangeError(`The tenant ID must be a GUID, got "${options.tenantId}".`);
    }
    this.#tenantId = options.tenantId?.toLowerCase();
    for (const application of options.applications ?? []) this.register(application);
  }

  /** Whether any application is registered (otherwise the directory is open). */
  get strict(): boolean {
    return this.#applications.size > 0;
  }

  get tenantId(): string | undefined {
    return this.#tenantId;
  }

  /** Adds an application, or replaces the one with the same client ID. */
  register(application: EntraApplication): void {
    if (!GUID.test(application.clientId)) throw new RangeError(`The client ID must be a GUID, got "${application.clientId}".`);
    const clientId = application.clientId.toLowerCase();
    this.#applications.set(clientId, {
      clientId,
      open: false,
      secrets: [...(application.secrets ?? [])],
      certificates: (application.certificates ?? []).map(registeredCertificate),
      federatedCredentials: [...(application.federatedCredentials ?? [])],
      partnerCenterAccess: application.partnerCenterAccess ?? true,
      objectId: derivedGuid(`sp:${clientId}`),
    });
  }

  /**
   * The tenant named in a request path. With a tenant ID set only that one exists; without, any GUID or domain
   * name does (each domain gets a stable made-up tenant ID). Anything else is AADSTS90002, as Entra ID answers.
   */
  tenant(name: string): Tenant {
    const lower = name.toLowerCase();
    if (this.#tenantId !== undefined) {
      if (lower !== this.#tenantId) throw tenantNotFound(name);
      return { id: this.#tenantId, name };
    }
    if (GUID.test(name)) return { id: lower, name };
    if (DOMAIN.test(name)) return { id: derivedGuid(`tenant:${lower}`), name };
    throw tenantNotFound(name);
  }

  /** The application a token request names; unknown ones are AADSTS700016 when the directory is strict. */
  application(clientId: string, tenant: Tenant): DirectoryApplication {
    const registered = this.#applications.get(clientId.toLowerCase());
    if (registered) return registered;
    if (this.strict) throw applicationNotFound(clientId, tenant.name);
    return {
      clientId,
      open: true,
      secrets: [],
      certificates: [],
      federatedCredentials: [],
      partnerCenterAccess: true,
      objectId: derivedGuid(`sp:${clientId.toLowerCase()}`),
    };
  }

  /** The registered application with this client ID, for the API's access check. */
  registered(clientId: string): DirectoryApplication | undefined {
    return this.#applications.get(clientId.toLowerCase());
  }
}

function registeredCertificate(pem: string): RegisteredCertificate {
  const certificate = new X509Certificate(pem);
  const sha1 = createHash('sha1').update(certificate.raw).digest();
  return {
    x5t: sha1.toString('base64url'),
    x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
    thumbprint: sha1.toString('hex').toUpperCase(),
    certificate,
  };
}

/** A GUID derived from a name, so that the same tenant or app always gets the same IDs. */
export function derivedGuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
