// End to end, the TLS side: the serving certificate rotated under load, and mTLS with the client
// certificate kube-apiserver presents (AdmissionConfiguration kubeConfigFile).
import { request } from 'node:https';
import t from 'tap';
import {
  createNamespace,
  issueClientCertificateFor,
  newAuthority,
  OPT_IN,
  pipelinePod,
  pipelineStatefulSet,
  registerWebhook,
  sleep,
  startControlPlane,
  startWebhook,
  uniqueName,
  type KubeStatus,
  waitFor,
  type Webhook,
  type WebhookLogLine,
} from './cluster/index.js';
import { assertAllStoredInjected, assertExampleInjected, createStatefulSet, logReport, waitForPod } from './helpers.js';

const cp = await startControlPlane();
t.comment(`control plane ready in ${cp.startupMs} ms at ${cp.server}`);
const ca = newAuthority('feldera-e2e webhook serving CA');
const webhooks: Webhook[] = [];

t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${logReport(cp, webhooks)}\n`);
  for (const w of webhooks) await w.dispose();
  await cp.stop();
});

t.test('serving certificate rotated (same CA) while pods are created: every create injected', async (t) => {
  const webhook = await startWebhook({ port: cp.webhookPort, ca });
  webhooks.push(webhook);
  await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });
  const ns = uniqueName('rotation');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });

  const initialSerial = await webhook.servedSerial();
  const MIN_PODS = 40;
  const MAX_PODS = 400; // bounds the run if reloads are very slow
  const ROTATIONS = 5;
  const CONCURRENCY = 4;
  const results: Array<{ name: string; status: number; message: string }> = [];
  let next = 0;
  let rotationsDone = false;
  const create = async (i: number): Promise<void> => {
    const name = `rotation-${String(i).padStart(3, '0')}`;
    const res = await cp.rest.post<KubeStatus>(`/api/v1/namespaces/${ns}/pods`, pipelinePod({ namespace: ns, name }));
    results.push({ name, status: res.status, message: res.status === 201 ? '' : (res.body.message ?? res.text) });
  };
  // Creates keep going until both enough pods exist and every rotation has been picked up.
  const creators = Array.from({ length: CONCURRENCY }, async () => {
    while ((next < MIN_PODS || !rotationsDone) && next < MAX_PODS) await create(next++);
  });
  const serials: string[] = [];
  const reloadMs: number[] = [];
  const rotator = (async () => {
    try {
      for (let r = 0; r < ROTATIONS; r++) {
        await sleep(150);
        const rotatedAt = Date.now();
        const serial = webhook.rotateCertificate();
        serials.push(serial);
        // Ground truth: a new TLS connection is handed the new certificate.
        await waitFor(`the webhook to serve certificate ${serial}`, async () => ((await webhook.servedSerial()) === serial ? true : undefined), {
          timeoutMs: 30_000,
          intervalMs: 50,
        });
        reloadMs.push(Date.now() - rotatedAt);
      }
    } finally {
      rotationsDone = true;
    }
  })();
  await Promise.all([rotator, ...creators]);
  // A few more on connections made after the last rotation.
  await Promise.all(Array.from({ length: CONCURRENCY }, () => create(next++)));

  const failed = results.filter((r) => r.status !== 201);
  t.same(failed, [], `all ${results.length} pod creates succeeded across ${ROTATIONS} rotations`);
  t.ok(results.length >= MIN_PODS, `at least ${MIN_PODS} pods created (${results.length})`);

  const pods = await assertAllStoredInjected(t, cp, ns, results.length);
  const [sample] = pods;
  if (sample !== undefined) assertExampleInjected(t, sample, null);

  const loggedSerial = (l: WebhookLogLine): string | null => (typeof l.serial === 'string' ? l.serial.toUpperCase() : null);
  const reloads = webhook.lines.filter((l) => l.msg !== 'serving admissions' && serials.includes(loggedSerial(l) ?? ''));
  t.same(
    reloads.map(loggedSerial),
    serials,
    `the webhook logged a reload for each of the ${ROTATIONS} new certificates`,
  );
  const served = await webhook.servedSerial();
  t.equal(served, serials.at(-1), 'a new connection gets the last certificate');
  t.not(served, initialSerial, 'and not the first one');
  const lastReload = webhook.lines.findIndex((l) => loggedSerial(l) === serials.at(-1));
  t.ok(
    webhook.lines.slice(lastReload).some((l) => l.msg === 'admission' && l.decision === 'injected'),
    'admissions were served after the last reload',
  );
  t.comment(`${results.length} pods created while the certificate was rotated ${ROTATIONS} times (rotation -> new certificate served: ${reloadMs.join(', ')} ms)`);
  await webhook.stop();
});

t.test('mTLS: callers without a trusted client certificate are refused, the apiserver is served', async (t) => {
  const webhook = await startWebhook({
    port: cp.webhookPort,
    ca,
    mtls: { clientCAFile: cp.pki.webhookClientCa.certFile, probeClient: cp.pki.webhookClient },
  });
  webhooks.push(webhook);
  await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });
  t.match(webhook.lines.find((l) => l.msg === 'serving admissions'), { mtls: true }, 'the webhook says it requires client certificates');

  const post = (client: { cert?: string; key?: string }): Promise<{ status: number } | { error: string }> =>
    new Promise((resolve) => {
      const req = request(
        { host: '127.0.0.1', port: cp.webhookPort, path: '/mutate', method: 'POST', ca: ca.cert, ...client, agent: false, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        },
      );
      req.setTimeout(5000, () => req.destroy(new Error('timed out')));
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: `${error.code ?? ''} ${error.message}`.trim() }));
      req.end('{}');
    });
  const refused = (answer: { status: number } | { error: string }): boolean => 'error' in answer || answer.status >= 400;

  const anonymous = await post({});
  t.ok(refused(anonymous), `no client certificate: refused (${JSON.stringify(anonymous)})`);
  const stranger = issueClientCertificateFor(newAuthority('some other CA'), 'kube-apiserver-webhook-client');
  const untrusted = await post(stranger);
  t.ok(refused(untrusted), `a client certificate from another CA: refused (${JSON.stringify(untrusted)})`);
  const trusted = await post(cp.pki.webhookClient);
  t.same(trusted, { status: 400 }, 'the apiserver\'s client certificate gets through TLS (an empty review is a 400)');

  const ns = uniqueName('mtls');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const direct = await cp.rest.post<KubeStatus>(`/api/v1/namespaces/${ns}/pods`, pipelinePod({ namespace: ns, name: 'direct-0' }));
  t.equal(direct.status, 201, `direct pod create through the apiserver succeeds ${direct.status === 201 ? '' : (direct.body.message ?? '')}`);
  assertExampleInjected(t, await waitForPod(cp, ns, 'direct-0'), null);

  const sts = pipelineStatefulSet(ns);
  await createStatefulSet(cp, ns, sts.object);
  assertExampleInjected(t, await waitForPod(cp, ns, sts.podName), sts.id);
  // Log lines are written asynchronously: the stored pod may be seen before its log line arrives.
  await webhook.waitForLog('the StatefulSet pod admission', (l) => l.msg === 'admission' && l.namespace === ns && l.pod === sts.podName && l.decision === 'injected');
  t.pass('the webhook logged the StatefulSet pod admission');
  await webhook.stop();
});
