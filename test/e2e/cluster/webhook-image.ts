// The webhook's own image, for running it in the cluster: scripts/webhook-image.sh builds it from
// the repository's Dockerfile with buildah over a locally made Node 20 base (see there), cached in
// .cache/images and rebuilt only when its inputs changed. Run here with its output on stderr; a
// failure fails the test, nothing is skipped.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface WebhookImage {
  /** docker.io/library/feldera-sidecar-injector:<version> */
  name: string;
  repository: string;
  tag: string;
  /** A docker archive for `ctr images import`. */
  file: string;
  /** How long the script took (a cache hit is about a second). */
  buildMs: number;
}

export async function ensureWebhookImage(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<WebhookImage> {
  const root = repoRoot();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const file = join(process.env.IMAGES_DIR ?? join(root, '.cache', 'images'), 'feldera-sidecar-injector.tar');
  log('[e2e] scripts/webhook-image.sh webhook (buildah; reused when the Dockerfile, package files and src/ are unchanged)');
  const started = Date.now();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('bash', [join(root, 'scripts', 'webhook-image.sh'), 'webhook'], { cwd: root, stdio: ['ignore', 2, 2] });
    child.on('error', reject);
    child.on('exit', (c, signal) => resolve(c ?? (signal === null ? 1 : 128)));
  });
  if (code !== 0) throw new Error(`scripts/webhook-image.sh webhook failed (exit ${code}); its output is above`);
  if (!existsSync(file)) throw new Error(`scripts/webhook-image.sh succeeded but ${file} is missing`);
  return { name: `docker.io/library/feldera-sidecar-injector:${version}`, repository: 'feldera-sidecar-injector', tag: version, file, buildMs: Date.now() - started };
}
