/**
 * The stand-in's token-signing key: RS256 like Entra ID's, published as a JWKS with `kid` and `x5t` equal (Entra ID
 * sets both to the key's thumbprint). Generated at start-up, so a token from one sandbox run is refused by the next.
 */
import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

export interface PublicJwks {
  keys: (JWK & { kid: string; x5t: string; use: 'sig' })[];
}

export class SigningKey {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicKey: CryptoKey,
    /** The key's ID, in both `kid` and `x5t` of every token header. */
    readonly keyId: string,
    readonly jwks: PublicJwks,
  ) {}

  static async generate(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const jwk = await exportJWK(publicKey);
    const keyId = createHash('sha1').update(`${jwk.n}.${jwk.e}`).digest('base64url');
    return new SigningKey(privateKey, publicKey, keyId, { keys: [{ ...jwk, kty: 'RSA', use: 'sig', kid: keyId, x5t: keyId }] });
  }

  sign(claims: JWTPayload): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'RS256', x5t: this.keyId, kid: this.keyId }).sign(this.privateKey);
  }
}
