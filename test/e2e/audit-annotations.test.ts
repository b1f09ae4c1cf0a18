// auditAnnotations through a real kube-apiserver with an audit policy (Metadata level for pod
// creations): the apiserver records each answer's annotations, prefixed with the webhook's name,
// in its audit log, for an injected pod (with a policy warning) and for a denied one.
import { existsSync, readFileSync } from 'node:fs';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { apiErrorMessage, createNamespace, OPT_IN, pipelinePod, registerWebhook, startControlPlane, startWebhook, uniqueName, waitFor, WEBHOOK_NAME, type Webhook } from './cluster/index.js';
import { logReport } from './helpers.js';

interface AuditEvent {
  stage: string;
  verb: string;
  objectRef?: { resource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  annotations?: Record<string, string>;
}

const cp = await startControlPlane({ auditLog: true });
const auditLog = cp.auditLogPath;
if (auditLog === null) throw new Error('the control plane has no audit log');
const webhooks: Webhook[] = [];
t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${logReport(cp, webhooks)}\n`);
  for (const w of webhooks) await w.dispose();
  await cp.stop();
});
// A warn-only image rule the example's ubuntu sidecar breaks: admitted, with a policy warning.
const webhook = await startWebhook({
  port: cp.webhookPort,
  set: { 'policy.allowedImages.patterns': '[registry.example.com/*]', 'policy.allowedImages.action': 'warn' },
});
webhooks.push(webhook);
await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });
const ns = uniqueName('audit');
await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
const core = cp.kc.makeApiClient(CoreV1Api);

/** The ResponseComplete audit event of a pod creation: the log is written asynchronously, so wait. */
function auditEventFor(name: string): Promise<AuditEvent> {
  return waitFor(
    `the audit event of creating pod ${ns}/${name}`,
    () => {
      if (!existsSync(auditLog as string)) return undefined;
      for (const line of readFileSync(auditLog as string, 'utf8').split('\n')) {
        if (!line.includes(`"${name}"`)) continue;
        const event = JSON.parse(line) as AuditEvent;
        const ref = event.objectRef;
        if (event.stage === 'ResponseComplete' && event.verb === 'create' && ref?.resource === 'pods' && ref.namespace === ns && ref.name === name) return event;
      }
      return undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

const ours = (event: AuditEvent): Record<string, string> =>
  Object.fromEntries(Object.entries(event.annotations ?? {}).filter(([key]) => key.startsWith(`${WEBHOOK_NAME}/`)));

t.test('an injected pod: decision, injected names and the policy warning', async (t) => {
  await core.createNamespacedPod({ namespace: ns, body: pipelinePod({ namespace: ns, name: 'injected' }) as V1Pod });
  const event = await auditEventFor('injected');
  const annotations = ours(event);
  t.strictSame(annotations[`${WEBHOOK_NAME}/decision`], 'injected/INJECTED');
  t.strictSame(annotations[`${WEBHOOK_NAME}/injected`], 'example,ingest-sidecar');
  t.match(annotations[`${WEBHOOK_NAME}/policy-warning`], 'init_containers[0].image: "ubuntu:24.04" is not allowed by policy.allowedImages');
  t.strictSame(event.responseStatus?.code, 201);
  t.comment(`audit annotations: ${JSON.stringify(annotations)}`);
});

t.test('a denied pod: the decision with its reason code', async (t) => {
  const body = pipelinePod({ namespace: ns, name: 'denied', runtimeConfig: { init_containers: [{ name: 'no-image' }] } }) as V1Pod;
  const refused = await core.createNamespacedPod({ namespace: ns, body }).then(
    () => null,
    (error: unknown) => apiErrorMessage(error),
  );
  t.match(refused, `admission webhook "${WEBHOOK_NAME}" denied the request`);
  const event = await auditEventFor('denied');
  t.strictSame(ours(event), { [`${WEBHOOK_NAME}/decision`]: 'denied/CONTAINER_INVALID' });
  t.strictSame(event.responseStatus?.code, 422);
});

t.test('a dry run is annotated too (it is audited like any request)', async (t) => {
  await core.createNamespacedPod({ namespace: ns, body: pipelinePod({ namespace: ns, name: 'dry' }) as V1Pod, dryRun: 'All' });
  const event = await auditEventFor('dry');
  t.strictSame(ours(event)[`${WEBHOOK_NAME}/decision`], 'injected/INJECTED');
});
