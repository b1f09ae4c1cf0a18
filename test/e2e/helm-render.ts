// Helm for the e2e tests: the helm binary (built by scripts/kube-binaries.sh helm when it is
// missing, loudly, never skipped), `helm lint` and `helm template` of the chart, the rendered
// documents as plain objects, and where each of them lives in the apiserver's REST API
// (discovery), so they can be created and read back byte for byte with the admin's KubeRest.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import type { KubeRest } from './cluster/index.js';
import { repoRoot } from './cluster/paths.js';

export const CHART_DIR = join(repoRoot(), 'deploy', 'helm', 'feldera-sidecar-injector');
/** The version of the control plane's kube-apiserver (scripts/kube-build), for .Capabilities. */
export const KUBE_VERSION = '1.34.4';

/** A rendered Kubernetes object. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export { ensureHelm } from './cluster/binaries.js';

/**
 * The RBAC rules of a chart template's first document, read from the template itself (the lines
 * without template actions), so a test can bind a user to exactly what the chart grants.
 */
export function chartTemplateRules<Rule>(template: string): Rule[] {
  const text = readFileSync(join(CHART_DIR, 'templates', template), 'utf8');
  const plain = text.split('\n').filter((line) => !line.includes('{{')).join('\n').split('\n---\n')[0] ?? '';
  return (parseYaml(plain) as { rules: Rule[] }).rules;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Helm {
  /**
   * @param bin the helm binary
   * @param home a folder for helm's cache/config/data (kept out of $HOME)
   */
  constructor(
    readonly bin: string,
    private readonly home: string,
  ) {
    mkdirSync(home, { recursive: true });
  }

  run(args: string[]): Promise<HelmResult> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HELM_CACHE_HOME: join(this.home, 'cache'),
      HELM_CONFIG_HOME: join(this.home, 'config'),
      HELM_DATA_HOME: join(this.home, 'data'),
    };
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code, signal) =>
        resolve({ code: code ?? (signal === null ? 1 : 128), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
      );
    });
  }

  /** Arguments shared by lint and template: namespace, capabilities, values. */
  private static valueArgs(namespace: string, set: string[]): string[] {
    return ['--namespace', namespace, '--kube-version', KUBE_VERSION, ...set.flatMap((s) => ['--set', s])];
  }

  /** `helm lint --strict`: throws with helm's output when it fails. */
  async lint(namespace: string, set: string[] = []): Promise<string> {
    const result = await this.run(['lint', '--strict', CHART_DIR, ...Helm.valueArgs(namespace, set)]);
    if (result.code !== 0) throw new Error(`helm lint ${set.join(' ')} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
    return result.stdout;
  }

  /** `helm template <release> <chart>`: the rendered objects, in helm's install order. */
  async template(release: string, namespace: string, set: string[] = []): Promise<Manifest[]> {
    const result = await this.run(['template', release, CHART_DIR, ...Helm.valueArgs(namespace, set)]);
    if (result.code !== 0) throw new Error(`helm template ${release} ${set.join(' ')} failed (exit ${result.code}):\n${result.stderr}`);
    return parseManifests(result.stdout);
  }
}

/**
 * The documents of a multi-document YAML stream, as Helm itself would read them (sigs.k8s.io/yaml,
 * i.e. go-yaml's YAML 1.1: an unquoted `on` or `0440` means what Helm sends, not what a YAML 1.2
 * parser would make of it). Empty documents (templates that rendered nothing) are dropped.
 */
export function parseManifests(text: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const object = value as Partial<Manifest>;
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
      throw new Error(`rendered document without apiVersion, kind or metadata.name: ${JSON.stringify(value).slice(0, 300)}`);
    }
    manifests.push(object as Manifest);
  }
  return manifests;
}

/** The one object of `kind` (optionally named) in a rendering; throws when absent or ambiguous. */
export function only(manifests: Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name === undefined ? '' : ` ${name}`} in the rendering, found ${found.length}`);
  return found[0] as Manifest;
}

export const describe = (m: Manifest): string => `${m.kind} ${m.metadata.namespace === undefined ? '' : `${m.metadata.namespace}/`}${m.metadata.name}`;

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** REST paths of objects, from the apiserver's discovery documents (custom resources included). */
export class ResourcePaths {
  private readonly lists = new Map<string, ApiResource[]>();

  constructor(private readonly rest: KubeRest) {}

  private async resource(apiVersion: string, kind: string): Promise<ApiResource> {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list = this.lists.get(apiVersion);
    if (list?.some((r) => r.kind === kind) !== true) {
      const res = await this.rest.get<{ resources?: ApiResource[] }>(base);
      if (res.status !== 200) throw new Error(`discovery ${base}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
      // Subresources (pods/status ...) share their parent's kind.
      list = (res.body.resources ?? []).filter((r) => !r.name.includes('/'));
      this.lists.set(apiVersion, list);
    }
    const found = list.find((r) => r.kind === kind);
    if (found === undefined) throw new Error(`the apiserver serves no ${kind} in ${apiVersion}`);
    return found;
  }

  /** The collection an object is created in (POST). */
  async collection(m: Manifest): Promise<string> {
    const r = await this.resource(m.apiVersion, m.kind);
    const base = m.apiVersion.includes('/') ? `/apis/${m.apiVersion}` : `/api/${m.apiVersion}`;
    if (!r.namespaced) return `${base}/${r.name}`;
    if (m.metadata.namespace === undefined) throw new Error(`${describe(m)}: a namespaced ${m.kind} rendered without metadata.namespace`);
    return `${base}/namespaces/${m.metadata.namespace}/${r.name}`;
  }

  /** The object itself (GET, DELETE). */
  async object(m: Manifest): Promise<string> {
    return `${await this.collection(m)}/${m.metadata.name}`;
  }

  /** Whether the kind is namespaced (per discovery). */
  async namespaced(m: Manifest): Promise<boolean> {
    return (await this.resource(m.apiVersion, m.kind)).namespaced;
  }
}
