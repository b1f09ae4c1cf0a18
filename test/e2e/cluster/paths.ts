// Where things are: the repository root (found from this file, so it works from test/e2e/cluster
// under tap and from dist/test/e2e/cluster after `npm run build`) and the harness's state folder.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'feldera-sidecar-injector';
let root: string | undefined;

export function repoRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isOurs(manifest)) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} repository above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function isOurs(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** Git-ignored state shared by runs: pid files of processes the harness started. */
export function stateDir(): string {
  return join(repoRoot(), '.cache', 'e2e');
}
