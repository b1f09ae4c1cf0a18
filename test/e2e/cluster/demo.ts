#!/usr/bin/env node
// `npm run demo`: the seed's example, end to end, on a real node. Starts the control plane, one
// node (containerd + kubelet) and the webhook, applies a pipeline StatefulSet shaped like Feldera's
// whose runtime_config declares the seed's sidecar verbatim (only its image replaced by a local one
// that has bash: nothing can be pulled here), waits for the pod to run, and prints what
// `kubectl logs -n feldera pipeline-<uuid>-0 -c example` prints. Then it leaves the cluster running
// with a KUBECONFIG line, like `npm run cluster`; Ctrl-C stops everything and leaves the machine as
// it was found.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDevCertificates } from '../../../src/pki/index.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { nodePipelineStatefulSet, seedSidecar } from './fixtures.js';
import { describeDiff } from './machine-state.js';
import { SHELL_IMAGE } from './node-images.js';
import { OPT_IN } from './namespaces.js';
import { onSignal } from './processes.js';
import { registerWebhook } from './register-webhook.js';
import { startWebhook, type Webhook } from './webhook-process.js';
import { waitFor } from './wait.js';

const NAMESPACE = 'feldera';
const EXAMPLE_PIPELINE_ID = '0199ef4a-5442-7430-a633-fe0702e3cf2c';

const USAGE = `Usage: npm run demo

Starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler on 127.0.0.1, a node
(containerd and kubelet, registered as 127.0.0.1), and the webhook (dist/src/main.js); applies a
Feldera-shaped pipeline StatefulSet in namespace ${NAMESPACE} whose runtime_config declares the seed's
sidecar (image: ${SHELL_IMAGE}, built here from busybox and bash), and prints the sidecar's log.
Needs root and the Debian packages containerd runc containernetworking-plugins busybox-static.
Ctrl-C stops everything, removes the temp folder and restores the machine.
`;

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

interface PodStatus {
  status?: {
    phase?: string;
    initContainerStatuses?: Array<{ name: string; started?: boolean; state?: Record<string, unknown> }>;
    containerStatuses?: Array<{ name: string; ready?: boolean }>;
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    out(USAGE);
    return;
  }
  const started = Date.now();
  let cp: ControlPlane | null = null;
  let webhook: Webhook | null = null;
  onSignal(async (signal) => {
    out(`\n${signal}: stopping the webhook, the node and the control plane...`);
    await webhook?.dispose();
    await cp?.stop();
    const diff = cp?.machineDiff() ?? null;
    out(diff === null ? 'stopped.' : `stopped; ${describeDiff(diff)}.`);
  }, 90_000);

  out('starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler and a node (containerd + kubelet) on 127.0.0.1...');
  cp = await startControlPlane({ namespaces: [{ name: NAMESPACE, labels: OPT_IN }], nodes: 1, log: (line) => out(line) });
  cluster = cp;
  const node = cp.nodes?.nodes[0];
  out(`cluster ready in ${(cp.startupMs / 1000).toFixed(1)} s (node ${node?.name ?? '?'} Ready after ${((cp.nodes?.startupMs ?? 0) / 1000).toFixed(1)} s): ${cp.server}`);

  const dev = await writeDevCertificates(join(cp.dir, 'webhook-certs'));
  if (!dev.ok) throw new Error(`dev certificates: ${dev.error.message}`);
  const files = dev.value.files;
  const ca = { cert: readFileSync(files.caCert, 'utf8'), key: readFileSync(files.caKey, 'utf8') };
  const serving = { cert: readFileSync(files.tlsCert, 'utf8'), key: readFileSync(files.tlsKey, 'utf8') };
  webhook = await startWebhook({ port: cp.webhookPort, ca, serving, tmpRoot: cp.dir });
  await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });
  out(`webhook ${webhook.url} registered for namespaces labelled sidecar.feldera.com/injection=enabled`);

  const sidecar = { ...seedSidecar(), image: SHELL_IMAGE };
  const sts = nodePipelineStatefulSet({ namespace: NAMESPACE, id: EXAMPLE_PIPELINE_ID, initContainers: [sidecar], image: SHELL_IMAGE });
  const controlPlane = cp;
  for (const [path, body] of [
    [`/api/v1/namespaces/${NAMESPACE}/configmaps`, sts.configMap],
    [`/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets`, sts.object],
  ] as const) {
    const res = await controlPlane.rest.post(path, body);
    if (res.status !== 201) throw new Error(`POST ${path}: HTTP ${res.status} ${res.text}`);
  }
  out(`applied StatefulSet ${NAMESPACE}/${sts.name}; runtime_config.init_containers:`);
  out(`  ${JSON.stringify([sidecar])}`);
  out(`waiting for ${sts.podName} to run...`);
  await waitFor(
    `pod ${NAMESPACE}/${sts.podName} running with its sidecar started`,
    async () => {
      const res = await controlPlane.rest.get<PodStatus>(`/api/v1/namespaces/${NAMESPACE}/pods/${sts.podName}`);
      if (res.status !== 200) return undefined;
      const st = res.body.status;
      const sidecarStarted = st?.initContainerStatuses?.find((c) => c.name === 'example')?.started === true;
      const pipelineReady = st?.containerStatuses?.find((c) => c.name === 'pipeline')?.ready === true;
      return st?.phase === 'Running' && sidecarStarted && pipelineReady ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  out(`pod running ${((Date.now() - started) / 1000).toFixed(1)} s after start.`);
  out();
  const kubectl = cp.nodeBinaries?.kubectl ?? 'kubectl';
  const args = ['logs', '-n', NAMESPACE, sts.podName, '-c', 'example'];
  const logText = await waitFor(
    'the sidecar to log',
    // Asynchronously: the apiserver reaches the kubelet through this process's cluster network.
    async () => {
      const { stdout } = await promisify(execFile)(kubectl, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: controlPlane.kubeconfigPath }, timeout: 10_000 });
      return stdout === '' ? undefined : stdout;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  out(`$ kubectl ${args.join(' ')}`);
  process.stdout.write(logText);
  out();
  out('Use it from another shell:');
  out(`  export KUBECONFIG=${cp.kubeconfigPath}`);
  out(`  export PATH=${cp.nodeBinaries?.kubectl.replace(/\/kubectl$/, '') ?? '.cache/kube/bin'}:$PATH`);
  out(`  kubectl get pods -n ${NAMESPACE} -o wide`);
  out(`  kubectl logs -n ${NAMESPACE} ${sts.podName} -c example`);
  out(`  kubectl exec -n ${NAMESPACE} ${sts.podName} -c example -- sh -c 'wget -qO- $FELDERA_PIPELINE_URL/ingress/events'`);
  out();
  out('Press Ctrl-C to stop and clean up.');
  setInterval(() => undefined, 1 << 30);
}

let cluster: ControlPlane | null = null;
main().catch(async (error: unknown) => {
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  if (cluster !== null) {
    await cluster.stop();
    const diff = cluster.machineDiff();
    if (diff !== null) process.stderr.write(`demo: stopped; ${describeDiff(diff)}\n`);
  }
  process.exit(1);
});
