// The e2e tests run the webhook as users do: the compiled dist/src/main.js. When dist is missing
// or older than any source file, `npm run build` runs once (output on stderr); a failed build
// fails the tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export function webhookEntryPoint(): string {
  return join(repoRoot(), 'dist', 'src', 'main.js');
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(child));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(child).mtimeMs);
  }
  return newest;
}

/** Why dist needs a build, or null when it is up to date. */
export function staleReason(): string | null {
  const root = repoRoot();
  const main = webhookEntryPoint();
  if (!existsSync(main)) return `${main} does not exist`;
  const built = statSync(main).mtimeMs;
  const sources = [join(root, 'src'), join(root, 'package.json'), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json')];
  const newest = Math.max(...sources.filter((p) => existsSync(p)).map(newestMtime));
  return newest > built ? 'sources changed since the last build' : null;
}

let built = false;

export function ensureWebhookBuilt(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  if (built) return;
  const reason = staleReason();
  if (reason !== null) {
    log(`[e2e] dist is stale (${reason}): running npm run build`);
    const result = spawnSync('npm', ['run', 'build'], { cwd: repoRoot(), stdio: ['ignore', 2, 2] });
    if (result.error !== undefined) throw new Error(`npm run build could not run: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`npm run build failed (exit ${String(result.status)}); its output is above`);
    if (!existsSync(webhookEntryPoint())) throw new Error(`npm run build succeeded but ${webhookEntryPoint()} is missing`);
  }
  built = true;
}
