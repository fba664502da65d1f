/**
 * TLS for the Entra ID stand-in. MSAL and `@azure/identity` refuse an authority that is not https, so the stand-in
 * serves TLS with a certificate authority made at start-up: a CA certificate (written to a file that
 * `NODE_EXTRA_CA_CERTS`, Python's `REQUESTS_CA_BUNDLE` or curl's `--cacert` can point at) and a server certificate
 * it signs for 127.0.0.1 and localhost.
 *
 * Node's crypto makes the keys but cannot build certificates; `@peculiar/x509` (a small, well-kept X.509 builder on
 * WebCrypto, the library `selfsigned` itself wraps) builds them with the extensions strict verifiers want
 * (Python 3.13 sets VERIFY_X509_STRICT: a critical basicConstraints on the CA, key identifiers, a SAN on the leaf).
 * ECDSA P-256 keeps start-up fast: two key pairs in a few milliseconds.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface StandInTls {
  /** PEM of the CA certificate: the only thing a client needs to trust. */
  caCertificate: string;
  /** Path of the file holding {@link caCertificate}. */
  caCertificatePath: string;
  /** PEM of the server certificate (signed by the CA) and its private key, for `https.createServer`. */
  cert: string;
  key: string;
  /** Removes the CA file and its folder. */
  remove(): Promise<void>;
}

/** Makes a fresh CA and a server certificate for 127.0.0.1 / localhost, and writes the CA to a temporary file. */
export async function createStandInTls(): Promise<StandInTls> {
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(Date.now() + 30 * DAY_MS);
  const caKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=hwdash sandbox Entra ID stand-in CA, O=hwdash sandbox',
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'CN=127.0.0.1',
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey));
  const caCertificate = ca.toString('pem');
  const folder = await mkdtemp(join(tmpdir(), 'hwdash-entra-'));
  const caCertificatePath = join(folder, 'sandbox-ca.pem');
  await writeFile(caCertificatePath, `${caCertificate}\n`, { mode: 0o644 });
  return {
    caCertificate,
    caCertificatePath,
    cert: server.toString('pem'),
    key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`,
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}

/** A positive 16-byte serial: the top bit cleared so that DER does not read it as negative. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}
