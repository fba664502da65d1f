/**
 * Discovery documents, shaped like Entra ID's: the v2 and v1 OpenID configurations MSAL reads before its first token
 * request, the instance-discovery answer (for clients that ask the authority host itself), and the signing keys.
 * Every URL in them points back at the stand-in's own origin.
 */
import type { Tenant } from './directory.js';

export function openIdConfigurationV2(origin: string, tenant: Tenant): Record<string, unknown> {
  const base = `${origin}/${tenant.id}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'at_hash', 'c_hash'],
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
  };
}

export function openIdConfigurationV1(origin: string, tenant: Tenant): Record<string, unknown> {
  const base = `${origin}/${tenant.id}`;
  return {
    token_endpoint: `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${origin}/common/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    // v1 tokens carry sts.windows.net's form of issuer: the origin, the tenant ID and a trailing slash.
    issuer: `${base}/`,
    authorization_endpoint: `${base}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
    end_session_endpoint: `${base}/oauth2/logout`,
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
  };
}

/** `/common/discovery/instance`: the stand-in vouches for its own host, as Entra ID does for its clouds. */
export function instanceDiscovery(origin: string, authorizationEndpoint: string | null): Record<string, unknown> {
  const host = new URL(origin).host;
  const tenant = /^https?:\/\/[^/]+\/([^/]+)\//.exec(authorizationEndpoint ?? '')?.[1] ?? 'common';
  return {
    tenant_discovery_endpoint: `${origin}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}
