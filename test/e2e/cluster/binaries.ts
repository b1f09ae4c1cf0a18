// The real control-plane binaries. They come from scripts/kube-binaries.sh (go build from the Go
// module proxy, cached in .cache/kube/bin). When one is missing the script is run here, with its
// output on our stderr; when it fails the tests fail. Nothing is ever skipped silently.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
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

export interface NodeBinaries {
  kubelet: string;
  kubectl: string;
  kubeScheduler: string;
  crictl: string;
}

/** A binary from a kube-binaries.sh target, building it (with a progress line) when it is missing. */
async function ensureTarget(bin: string, target: string, why: string, log: (line: string) => void): Promise<string> {
  if (isExecutable(bin)) return bin;
  log(`[e2e] ${bin} not found: running scripts/kube-binaries.sh ${target} (go build from the Go module proxy; ${why})`);
  const started = Date.now();
  const code = await runScript(join(repoRoot(), 'scripts', 'kube-binaries.sh'), target);
  if (code !== 0) throw new Error(`scripts/kube-binaries.sh ${target} failed (exit ${code}); its output is above. The e2e node needs ${bin}.`);
  if (!isExecutable(bin)) throw new Error(`scripts/kube-binaries.sh ${target} succeeded but ${bin} is still missing or not executable`);
  log(`[e2e] scripts/kube-binaries.sh ${target} finished in ${Math.round((Date.now() - started) / 1000)} s`);
  return bin;
}

/** kubelet, kubectl, kube-scheduler and crictl (the real node), building what is missing. */
export async function ensureNodeBinaries(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<NodeBinaries> {
  const dir = kubeBinDir();
  return {
    kubelet: await ensureTarget(join(dir, 'kubelet'), 'kube', 'a cold build of Kubernetes takes about 10 minutes', log),
    kubectl: await ensureTarget(join(dir, 'kubectl'), 'kube', 'a cold build of Kubernetes takes about 10 minutes', log),
    kubeScheduler: await ensureTarget(join(dir, 'kube-scheduler'), 'scheduler', 'about 30 s on a warm build cache', log),
    crictl: await ensureTarget(join(dir, 'crictl'), 'crictl', 'about a minute', log),
  };
}

/** The minors of the version matrix besides the default (scripts/kube-build/kubernetes-1.N). */
export const MATRIX_MINORS = ['1.35', '1.36', '1.37'] as const;
export type MatrixMinor = (typeof MATRIX_MINORS)[number];

/** The pinned version of a matrix minor (from its build module's go.mod), e.g. v1.35.4. */
export function matrixVersion(minor: MatrixMinor): string {
  const gomod = readFileSync(join(repoRoot(), 'scripts', 'kube-build', `kubernetes-${minor}`, 'go.mod'), 'utf8');
  const line = gomod.split('\n').find((l) => l.startsWith('require k8s.io/kubernetes ') || l.trim().startsWith('k8s.io/kubernetes v'));
  const version = line?.trim().split(/\s+/).find((w) => w.startsWith('v1.'));
  if (version === undefined) throw new Error(`no k8s.io/kubernetes version in scripts/kube-build/kubernetes-${minor}/go.mod`);
  return version;
}

/**
 * kube-apiserver and kube-controller-manager of a matrix minor (etcd stays the default's), from
 * ${KUBE_VERSIONS_DIR:-.cache/kube}/<version>/bin, building them when missing.
 */
export async function ensureMatrixBinaries(minor: MatrixMinor, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<KubeBinaries> {
  const base = await ensureKubeBinaries(log);
  const dir = join(process.env.KUBE_VERSIONS_DIR ?? join(repoRoot(), '.cache', 'kube'), matrixVersion(minor), 'bin');
  const why = 'a cold build takes about 10 minutes';
  return {
    binDir: dir,
    etcd: base.etcd,
    kubeApiserver: await ensureTarget(join(dir, 'kube-apiserver'), minor, why, log),
    kubeControllerManager: await ensureTarget(join(dir, 'kube-controller-manager'), minor, why, log),
  };
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
