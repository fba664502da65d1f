/**
 * The sandbox's stand-in for Microsoft's signing: a zip holding the package exactly as uploaded plus a manifest that
 * says who "signed" it and what. It is not a signature; the manifest says so, and the hash ties it to the upload.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { fileSha256 } from '../../package/file-digest.js';

export const SIGNATURE_MANIFEST_NAME = 'hwdash-sandbox-signature.json';

export const SANDBOX_SIGNER = 'hwdash sandbox (test signature, not a Microsoft signature)';

/** What the manifest is about: a driver submission or a preproduction package. */
export type SignedSubject = { productId: string; submissionId: string } | { preprodPackageId: string };

export interface SignatureManifest {
  signedBy: typeof SANDBOX_SIGNER;
  signedAt: string;
  /** The package as uploaded, stored next to the manifest in the zip. */
  package: { fileName: string; size: number; sha256: string };
  /** IDs as decimal strings: this file is read with plain JSON.parse, which would round them. */
  subject: SignedSubject;
}

/** The signed zip as a stream (built while it is read), and its manifest. */
export async function signPackage(packagePath: string, fileName: string, subject: SignedSubject, signedAt: string): Promise<{ zip: Readable; manifest: SignatureManifest }> {
  const { size } = await stat(packagePath);
  const manifest: SignatureManifest = {
    signedBy: SANDBOX_SIGNER,
    signedAt,
    package: { fileName, size, sha256: (await fileSha256(packagePath)).toString('hex') },
    subject,
  };
  const zip = new yazl.ZipFile();
  // Stored, not deflated: the package is an archive already, and deflating hundreds of MiB again only costs time.
  zip.addFile(packagePath, fileName, { compress: false });
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), SIGNATURE_MANIFEST_NAME);
  zip.end();
  return { zip: zip.outputStream as Readable, manifest };
}
