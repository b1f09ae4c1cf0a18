// `explain -f FILE [--output json]`: the decision trail for each document (Pod, workload, or
// AdmissionReview; YAML or JSON), in plain words. `explain --live NAMESPACE/NAME`: the same for a
// StatefulSet (else a pod) in the cluster of the kubeconfig, with the namespace's policy and, for
// the configMap source, Feldera's ConfigMap, read once and given to the same decide(). Exit
// status as `inject`: 0 allowed, 1 denied, 2 unusable input, an unreadable cluster or an internal failure.
import { NO_CLUSTER, type ClusterContext } from '../cluster/context.js';
import type { Config } from '../config/config.js';
import { decide } from '../decide.js';
import { explainDecision, renderExplanation, type Explanation } from '../explain/trail.js';
import type { Json } from '../json.js';
import { documentPod } from '../workloads/document.js';
import { configFrom, fatal, type Values } from './args.js';
import { internalFailure, readDocuments } from './documents.js';
import type { InjectCommandIO } from './inject.js';

/** Explains each document against the context; returns the exit status. */
export function explainDocuments(docs: readonly Json[], json: boolean, config: Config, context: ClusterContext, io: InjectCommandIO): number {
  const explanations: Explanation[] = [];
  let status = 0;
  for (const [i, doc] of docs.entries()) {
    const where = docs.length > 1 ? `document ${i + 1}: ` : '';
    const target = documentPod(doc);
    if (!target.ok) {
      io.stderr(`error: ${where}${target.error.message}\n`);
      return 2;
    }
    if (target.value.kind === 'none') {
      if (!json) io.stdout(`${where}${target.value.note}\n`);
      continue;
    }
    try {
      const review = target.value.review;
      const explanation = explainDecision(decide(review, config, context), review.request.object, config);
      explanations.push(explanation);
      if (!explanation.allowed) status = 1;
      if (!json) io.stdout(`${where}${renderExplanation(explanation)}`);
    } catch (error) {
      io.stderr(`error: ${where}${internalFailure('explaining', error)}`);
      return 2;
    }
  }
  if (json) io.stdout(`${JSON.stringify(explanations.length === 1 ? explanations[0] : explanations, null, 2)}\n`);
  return status;
}

export function runExplain(file: string, json: boolean, config: Config, io: InjectCommandIO): number {
  const read = readDocuments(file);
  if (!read.ok) {
    io.stderr(`error: ${read.message}\n`);
    return 2;
  }
  return explainDocuments(read.docs, json, config, NO_CLUSTER, io);
}

/** "NAMESPACE/NAME" -> its parts, or null. */
export function liveTarget(text: string): { namespace: string; name: string } | null {
  const parts = text.split('/');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return null;
  return { namespace: parts[0]!, name: parts[1]! };
}

export async function runExplainLive(target: string, json: boolean, config: Config, io: InjectCommandIO): Promise<number> {
  const parts = liveTarget(target);
  if (parts === null) {
    io.stderr('error: --live takes NAMESPACE/NAME (a StatefulSet, else a pod)\n');
    return 2;
  }
  // Imported here: @kubernetes/client-node takes ~2 s to load, which explain -f never needs.
  const { loadKubeConfig } = await import('../cluster/informers.js');
  const { readLive } = await import('./live-read.js');
  const kc = loadKubeConfig(config);
  if (!kc.ok) {
    io.stderr(`error: ${kc.error.message}\n`);
    return 2;
  }
  const live = await readLive(kc.value, parts.namespace, parts.name, config);
  if (!live.ok) {
    io.stderr(`error: ${live.error.message}\n`);
    return 2;
  }
  if (!json) {
    const server = kc.value.getCurrentCluster()?.server ?? '?';
    io.stdout(`live from ${server}: read ${live.value.read.join(', ')}\n`);
    io.stdout(`config source: ${config.pipeline.configSource}; namespace policy: ${config.namespacePolicy.enabled ? 'on' : 'off (namespacePolicy.enabled false)'}\n\n`);
  }
  return explainDocuments([live.value.object], json, config, live.value.context, io);
}

export async function explain(values: Values): Promise<void> {
  const output = values.output;
  if (output !== undefined && output !== 'json' && output !== 'text') fatal('--output must be text or json');
  const io: InjectCommandIO = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };
  if (values.live !== undefined) {
    if (values.file !== undefined) fatal('explain takes -f FILE or --live NAMESPACE/NAME, not both');
    process.exitCode = await runExplainLive(values.live, output === 'json', configFrom(values), io);
    return;
  }
  if (values.file === undefined) fatal('explain needs -f FILE (or -f - for standard input), or --live NAMESPACE/NAME');
  process.exitCode = runExplain(values.file, output === 'json', configFrom(values), io);
}
