#!/usr/bin/env node
// `npm run cluster`: a throw-away local control plane (etcd, kube-apiserver,
// kube-controller-manager) with the built webhook registered, the example pipeline StatefulSet
// applied in namespace `feldera`, and a kubeconfig for kubectl. Runs until Ctrl-C, then removes
// everything (processes and the temp folder).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDevCertificates } from '../../../src/pki/index.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { pipelineStatefulSet } from './fixtures.js';
import { OPT_IN } from './namespaces.js';
import { onSignal } from './processes.js';
import { registerWebhook } from './register-webhook.js';
import { startWebhook, type Webhook } from './webhook-process.js';
import { waitFor } from './wait.js';

const NAMESPACE = 'feldera';
/** The pipeline id of the shared example (test/fixtures/pipeline-statefulset.json). */
const EXAMPLE_PIPELINE_ID = '0199ef4a-5442-7430-a633-fe0702e3cf2c';

const USAGE = `Usage: npm run cluster

Starts etcd, kube-apiserver and kube-controller-manager on 127.0.0.1 (binaries from
.cache/kube/bin, built by scripts/kube-binaries.sh when missing), runs the webhook
(dist/src/main.js) with dev certificates, registers it for namespaces labelled
sidecar.feldera.com/injection=enabled, labels namespace ${NAMESPACE}, applies the example pipeline
StatefulSet and prints the injected pod. Ctrl-C stops everything and deletes the temp folder
(E2E_KEEP_DIR=1 keeps it).
`;

interface Container {
  name: string;
  image?: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function quantities(list: Record<string, string> | undefined): string {
  if (list === undefined || Object.keys(list).length === 0) return '-';
  return Object.entries(list)
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    out(USAGE);
    return;
  }
  let cp: ControlPlane | null = null;
  let webhook: Webhook | null = null;
  onSignal(async (signal) => {
    out(`\n${signal}: stopping the webhook, kube-controller-manager, kube-apiserver and etcd...`);
    await webhook?.dispose();
    await cp?.stop();
    out('stopped; temp folder removed.');
  });

  out('starting etcd, kube-apiserver and kube-controller-manager on 127.0.0.1...');
  cp = await startControlPlane({ namespaces: [{ name: NAMESPACE, labels: OPT_IN }], log: (line) => out(line) });
  out(`control plane ready in ${(cp.startupMs / 1000).toFixed(1)} s: ${cp.server} (logs in ${join(cp.dir, 'logs')})`);

  const dev = await writeDevCertificates(join(cp.dir, 'webhook-certs'));
  if (!dev.ok) throw new Error(`dev certificates: ${dev.error.message}`);
  const files = dev.value.files;
  const ca = { cert: readFileSync(files.caCert, 'utf8'), key: readFileSync(files.caKey, 'utf8') };
  const serving = { cert: readFileSync(files.tlsCert, 'utf8'), key: readFileSync(files.tlsKey, 'utf8') };
  webhook = await startWebhook({ port: cp.webhookPort, ca, serving, tmpRoot: cp.dir });
  await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });
  out(`webhook ${webhook.url} registered (dev certificates in ${join(cp.dir, 'webhook-certs')}; log ${webhook.logFile})`);

  const sts = pipelineStatefulSet(NAMESPACE, EXAMPLE_PIPELINE_ID);
  const created = await cp.rest.post(`/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets`, sts.object);
  if (created.status !== 201) throw new Error(`applying the example StatefulSet failed: HTTP ${created.status} ${created.text}`);
  out(`applied StatefulSet ${NAMESPACE}/${sts.name}; waiting for the controller to create ${sts.podName}...`);
  const controlPlane = cp;
  const pod = await waitFor(
    `pod ${NAMESPACE}/${sts.podName}`,
    async () => {
      const res = await controlPlane.rest.get<{ spec: { initContainers?: Container[] } }>(`/api/v1/namespaces/${NAMESPACE}/pods/${sts.podName}`);
      return res.status === 200 ? res.body : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );

  const init = pod.spec.initContainers ?? [];
  out();
  out(`stored pod ${NAMESPACE}/${sts.podName}: ${init.length} init container(s) injected`);
  out(
    table([
      ['NAME', 'IMAGE', 'RESTARTPOLICY', 'REQUESTS', 'LIMITS'],
      ...init.map((c) => [c.name, c.image ?? '-', c.restartPolicy ?? '-', quantities(c.resources?.requests), quantities(c.resources?.limits)]),
    ]),
  );
  out();
  out('Use it from another shell:');
  out(`  export KUBECONFIG=${cp.kubeconfigPath}`);
  out(`  kubectl get pods -n ${NAMESPACE}`);
  out(`  kubectl get pod -n ${NAMESPACE} ${sts.podName} -o jsonpath='{.spec.initContainers[*].name}'`);
  out();
  out('Pods stay Pending: there is no scheduler or kubelet. Press Ctrl-C to stop and clean up.');
  // Keep the event loop alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
