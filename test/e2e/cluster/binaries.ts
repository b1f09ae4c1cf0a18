// The real control-plane binaries. They come from scripts/kube-binaries.sh (go build from the Go
// module proxy, cached in .cache/kube/bin). When one is missing the script is run here, with its
// output on our stderr; when it fails the tests fail. Nothing is ever skipped silently.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repoRoot } from './paths.js';

export interface KubeBinaries {
  binDir: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
}

/** Same default and override as the script: KUBE_BIN_DIR or <repo>/.cache/kube/bin. */
export function kubeBinDir(): string {
  return process.env.KUBE_BIN_DIR ?? join(repoRoot(), '.cache', 'kube', 'bin');
}

function paths(binDir: string): KubeBinaries {
  return {
    binDir,
    etcd: join(binDir, 'etcd'),
    kubeApiserver: join(binDir, 'kube-apiserver'),
    kubeControllerManager: join(binDir, 'kube-controller-manager'),
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The script's targets that would produce the binaries missing now. */
function missingTargets(bins: KubeBinaries): Array<{ target: 'kube' | 'etcd'; missing: string[] }> {
  const targets: Array<{ target: 'kube' | 'etcd'; missing: string[] }> = [];
  const kube = [bins.kubeApiserver, bins.kubeControllerManager].filter((p) => !isExecutable(p));
  if (kube.length > 0) targets.push({ target: 'kube', missing: kube });
  if (!isExecutable(bins.etcd)) targets.push({ target: 'etcd', missing: [bins.etcd] });
  return targets;
}

let ensured: Promise<KubeBinaries> | null = null;

/** Paths of etcd, kube-apiserver and kube-controller-manager, building what is missing. */
export function ensureKubeBinaries(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<KubeBinaries> {
  ensured ??= build(log).catch((error: unknown) => {
    ensured = null;
    throw error;
  });
  return ensured;
}

async function build(log: (line: string) => void): Promise<KubeBinaries> {
  const bins = paths(kubeBinDir());
  const script = join(repoRoot(), 'scripts', 'kube-binaries.sh');
  for (const { target, missing } of missingTargets(bins)) {
    log(
      `[e2e] ${missing.join(', ')} not found: running scripts/kube-binaries.sh ${target} ` +
        '(go build from the Go module proxy; the first build takes several minutes)',
    );
    if (!existsSync(script)) throw new Error(`cannot build the missing binaries: ${script} does not exist`);
    const started = Date.now();
    const code = await runScript(script, target);
    if (code !== 0) {
      throw new Error(`scripts/kube-binaries.sh ${target} failed (exit ${code}); its output is above. The e2e tests need ${missing.join(', ')}.`);
    }
    log(`[e2e] scripts/kube-binaries.sh ${target} finished in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const still = missingTargets(bins).flatMap((t) => t.missing);
  if (still.length > 0) throw new Error(`scripts/kube-binaries.sh ran but ${still.join(', ')} is still missing or not executable`);
  return bins;
}

function runScript(script: string, target: string): Promise<number> {
  // The script needs `go`; the usual install location is added in case PATH lacks it.
  const pathEntries = (process.env.PATH ?? '').split(delimiter);
  const goBin = '/usr/local/go/bin';
  const env = { ...process.env, PATH: pathEntries.includes(goBin) ? process.env.PATH : [...pathEntries, goBin].join(delimiter) };
  return new Promise((resolve, reject) => {
    // stdout goes to our stderr too: under tap, our stdout is the TAP stream.
    const child = spawn('bash', [script, target], { cwd: repoRoot(), env, stdio: ['ignore', 2, 2] });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

/** Path of helm (the Helm e2e test), building it when it is missing, like the other binaries. */
export async function ensureHelm(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<string> {
  const bin = join(kubeBinDir(), 'helm');
  if (isExecutable(bin)) return bin;
  log(`[e2e] ${bin} not found: running scripts/kube-binaries.sh helm (go build from the Go module proxy; takes a few minutes)`);
  const started = Date.now();
  const code = await runScript(join(repoRoot(), 'scripts', 'kube-binaries.sh'), 'helm');
  if (code !== 0) throw new Error(`scripts/kube-binaries.sh helm failed (exit ${code}); its output is above. The Helm e2e test needs ${bin}.`);
  if (!isExecutable(bin)) throw new Error(`scripts/kube-binaries.sh helm succeeded but ${bin} is still missing or not executable`);
  log(`[e2e] scripts/kube-binaries.sh helm finished in ${Math.round((Date.now() - started) / 1000)} s`);
  return bin;
}
