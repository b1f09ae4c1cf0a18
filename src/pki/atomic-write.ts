// Temp file + rename, the temp file beside the target so the rename stays on one filesystem:
// readers (the TLS reloader watching the folder) see the old file or the new one, never half of
// one. The mode is set at creation so a key is never readable by others, even briefly.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';

export async function writeFileAtomically(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content, { mode, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
