// Puts the serving certificate where the server reads it (tls.certFile/keyFile, an emptyDir in the
// cluster). The server watches the folder and hot-reloads, so every write must leave a readable
// pair: each file is replaced atomically (temp file + rename), key first, and files already
// holding the wanted content are not touched (no reload, no log noise on every check).
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../pki/atomic-write.js';
import { dirname } from 'node:path';
import { fail, ok, type Result } from '../errors.js';
import { certificateError, type CertificateError } from './errors.js';

export interface ServingFiles {
  certFile: string;
  keyFile: string;
}

/** Returns whether anything was written. */
export async function writeServingFiles(
  files: ServingFiles,
  pair: { cert: string; key: string },
): Promise<Result<boolean, CertificateError>> {
  try {
    const [cert, key] = await Promise.all([readOrNull(files.certFile), readOrNull(files.keyFile)]);
    if (cert === pair.cert && key === pair.key) return ok(false);
    await mkdir(dirname(files.keyFile), { recursive: true });
    await mkdir(dirname(files.certFile), { recursive: true });
    // Key first: a reload that catches the pair half-way sees a new key with the old certificate,
    // refuses it (they do not match) and keeps serving; the certificate's rename then triggers
    // the reload that succeeds.
    if (key !== pair.key) await writeFileAtomically(files.keyFile, pair.key, 0o600);
    if (cert !== pair.cert) await writeFileAtomically(files.certFile, pair.cert, 0o644);
    return ok(true);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(
      certificateError(
        'CERT_FILES_WRITE_FAILED',
        `cannot write the serving certificate to tls.certFile ${files.certFile} / tls.keyFile ${files.keyFile}: ${reason}` +
          ' (in a cluster, mount a writable emptyDir there; the Secret is the source of truth, these are copies)',
      ),
    );
  }
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

