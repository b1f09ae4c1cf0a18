// Scale (issue 10, point 4): pipeline pods in a burst through the real kube-apiserver, with two
// webhook replicas behind one port, beside the same burst with no webhook registered.
//   npm run test:scale        500 pods (50 StatefulSets x 10, podManagementPolicy Parallel)
//   npm run test:scale:ci     50 pods (the CI version)
// SCALE_PODS sets the count (a multiple of 10). Two bursts each way: StatefulSets (the controller
// creates the pods, as in a cluster) and direct creates by the test (the apiserver alone).
// Asserted: every pod stored, every pod of the webhook phases injected, none refused. Reported,
// never asserted (performance is a figure): pods per second each way, the overhead ratio, and the
// apiserver's own histogram of our webhook's latency (share within 5 ms and 25 ms).
import { loadavg } from 'node:os';
import t from 'tap';
import { freePort, newAuthority, OPT_IN, registerWebhook, startControlPlane, startWebhook, STATUS_ANNOTATION, WEBHOOK_NAME, type Webhook } from '../e2e/cluster/index.js';
import { listPods, logReport } from '../e2e/helpers.js';
import { startReadinessProxy } from '../e2e/readiness-proxy.js';
import { describeBuckets, histogram, meanMs, minus, REQUEST_DURATION, scrapeMetrics, shareWithin, WEBHOOK_DURATION, type Histogram } from './apiserver-metrics.js';
import { directBurst, statefulSetBurst, type BurstResult } from './bursts.js';

const PODS = Number(process.env.SCALE_PODS ?? 500);
const REPLICAS = 10;
if (!Number.isInteger(PODS) || PODS < REPLICAS || PODS % REPLICAS !== 0) throw new Error(`SCALE_PODS must be a multiple of ${REPLICAS}, got ${process.env.SCALE_PODS}`);
const STATEFULSETS = PODS / REPLICAS;
const DIRECT_CONCURRENCY = 16;
const BURST_TIMEOUT_MS = 240_000 + PODS * 500;

const NS = { stsBaseline: 'scale-sts-baseline', stsWebhook: 'scale-sts-webhook', directBaseline: 'scale-direct-baseline', directWebhook: 'scale-direct-webhook' };

const cp = await startControlPlane({ namespaces: Object.values(NS).map((name) => ({ name, labels: OPT_IN })) });
t.comment(`control plane ready in ${cp.startupMs} ms at ${cp.server}; ${PODS} pods per burst; load average ${la()}`);
const ca = newAuthority('feldera-scale webhook serving CA');
const webhooks: Webhook[] = [];
const proxy = await startReadinessProxy({ port: cp.webhookPort, ca: ca.cert });

t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${logReport(cp, webhooks)}\n`);
  await proxy.close();
  for (const webhook of webhooks) await webhook.dispose();
  await cp.stop();
});

function la(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

interface Phase {
  burst: BurstResult;
  /** POST pods latency the apiserver measured during the burst. */
  createLatency: Histogram;
  /** Our webhook's latency the apiserver measured during the burst (empty without the webhook). */
  webhookLatency: Histogram;
  /** Connections the apiserver opened to the replicas during the burst (each one a full TLS handshake). */
  connections: number;
  loadAverage: string;
}

const podCreates = (text: string): Histogram => histogram(text, REQUEST_DURATION, { verb: 'POST', resource: 'pods', subresource: '' });
const webhookCalls = (text: string): Histogram => histogram(text, WEBHOOK_DURATION, { name: WEBHOOK_NAME, type: 'admit' });

const connectionsSoFar = (): number => proxy.backends().reduce((sum, backend) => sum + backend.connections, 0);

async function measured(run: () => Promise<BurstResult>): Promise<Phase> {
  const before = await scrapeMetrics(cp);
  const connectionsBefore = connectionsSoFar();
  const burst = await run();
  const after = await scrapeMetrics(cp);
  return {
    burst,
    createLatency: minus(podCreates(after), podCreates(before)),
    webhookLatency: minus(webhookCalls(after), webhookCalls(before)),
    connections: connectionsSoFar() - connectionsBefore,
    loadAverage: la(),
  };
}

const stsBurst = (namespace: string) => () => statefulSetBurst(cp, namespace, { statefulSets: STATEFULSETS, replicas: REPLICAS }, BURST_TIMEOUT_MS);
const podBurst = (namespace: string) => () => directBurst(cp, namespace, PODS, DIRECT_CONCURRENCY, BURST_TIMEOUT_MS);

// 1. No webhook registered.
const stsBaseline = await measured(stsBurst(NS.stsBaseline));
const directBaseline = await measured(podBurst(NS.directBaseline));

// 2. Two replicas behind one port (the proxy plays the Service), registered.
for (const name of ['replica-1', 'replica-2']) {
  const webhook = await startWebhook({ port: await freePort(), ca });
  webhooks.push(webhook);
  proxy.add(name, webhook.port);
  await proxy.waitForRotation(name, true, 15_000);
}
await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: Buffer.from(ca.cert).toString('base64') });
const stsWebhook = await measured(stsBurst(NS.stsWebhook));
const directWebhook = await measured(podBurst(NS.directWebhook));

function admissionsIn(namespace: string): number[] {
  return webhooks.map((webhook) => webhook.admissions().filter((line) => line.namespace === namespace && line.dryRun !== true).length);
}

interface Stored {
  total: number;
  injected: number;
  notInjected: string[];
}
async function stored(namespace: string): Promise<Stored> {
  const pods = await listPods(cp, namespace);
  const notInjected = pods
    .filter((pod) => pod.metadata.annotations?.[STATUS_ANNOTATION] === undefined || (pod.spec.initContainers ?? []).length !== 2)
    .map((pod) => pod.metadata.name);
  return { total: pods.length, injected: pods.length - notInjected.length, notInjected };
}

t.test('every pod of every burst is stored; with the webhook every one is injected, none refused', async (t) => {
  for (const [namespace, phase] of [
    [NS.stsBaseline, stsBaseline],
    [NS.directBaseline, directBaseline],
    [NS.stsWebhook, stsWebhook],
    [NS.directWebhook, directWebhook],
  ] as const) {
    t.strictSame(phase.burst.refused, [], `${namespace}: no create refused`);
    const seen = await stored(namespace);
    t.equal(seen.total, PODS, `${namespace}: ${PODS} pods stored`);
    if (namespace === NS.stsWebhook || namespace === NS.directWebhook) {
      t.strictSame(seen.notInjected, [], `${namespace}: every stored pod injected`);
      t.ok(phase.webhookLatency.count >= PODS, `${namespace}: the apiserver called the webhook for every pod (${phase.webhookLatency.count} calls)`);
    } else {
      t.equal(seen.injected, 0, `${namespace}: no pod injected without the webhook`);
      t.equal(phase.webhookLatency.count, 0, `${namespace}: the webhook was not called`);
    }
  }
  const rejected = histogram(await scrapeMetrics(cp), WEBHOOK_DURATION, { name: WEBHOOK_NAME, rejected: 'true' });
  t.equal(rejected.count, 0, 'no call to the webhook was rejected or failed in the whole run (rejected="true")');
  const split = admissionsIn(NS.stsWebhook).map((count, i) => count + (admissionsIn(NS.directWebhook)[i] ?? 0));
  t.equal(
    split.reduce((sum, count) => sum + count, 0) >= 2 * PODS,
    true,
    `the two replicas answered every admission between them (${split.join(' + ')})`,
  );
});

/** The webhook's own view: durationMs of its admission lines (arrival to answer, in the process). */
function ownDurations(namespace: string): string {
  const ms = webhooks
    .flatMap((webhook) => webhook.admissions())
    .filter((line) => line.namespace === namespace && line.dryRun !== true && typeof line.durationMs === 'number')
    .map((line) => line.durationMs as number)
    .sort((a, b) => a - b);
  const at = (p: number): string => (ms[Math.min(ms.length - 1, Math.max(0, Math.ceil(p * ms.length) - 1))] ?? Number.NaN).toFixed(2);
  const outcomes = new Map<string, number>();
  for (const webhook of webhooks) {
    for (const line of webhook.admissions()) {
      if (line.namespace !== namespace || line.dryRun === true) continue;
      const outcome = String(line.decision);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
  }
  const byOutcome = [...outcomes.entries()].map(([outcome, count]) => `${count} ${outcome}`).join(', ');
  return `the webhook's own durationMs (in-process, from its log): p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms over ${ms.length} admissions (${byOutcome})`;
}

function phaseLines(title: string, baseline: Phase, webhook: Phase, namespace: string): string[] {
  const ratio = webhook.burst.podsPerSecond / baseline.burst.podsPerSecond;
  const w = webhook.webhookLatency;
  return [
    `${title}:`,
    `  no webhook:   ${baseline.burst.podsPerSecond.toFixed(1)} pods/s (${PODS} in ${(baseline.burst.elapsedMs / 1000).toFixed(2)} s, first after ${baseline.burst.firstPodMs} ms); POST pods mean ${meanMs(baseline.createLatency).toFixed(1)} ms; load average ${baseline.loadAverage}`,
    `  with webhook: ${webhook.burst.podsPerSecond.toFixed(1)} pods/s (${PODS} in ${(webhook.burst.elapsedMs / 1000).toFixed(2)} s, first after ${webhook.burst.firstPodMs} ms); POST pods mean ${meanMs(webhook.createLatency).toFixed(1)} ms; load average ${webhook.loadAverage}`,
    `  throughput with ÷ without: ${ratio.toFixed(3)}; POST pods mean latency with ÷ without: ${(meanMs(webhook.createLatency) / meanMs(baseline.createLatency)).toFixed(2)}`,
    `  apiserver's ${WEBHOOK_DURATION} for ${WEBHOOK_NAME}: ${w.count} calls, mean ${meanMs(w).toFixed(2)} ms;`,
    `    within 5 ms ${(shareWithin(w, 0.005) * 100).toFixed(1)} % (target ≥ 99 %), within 25 ms ${(shareWithin(w, 0.025) * 100).toFixed(1)} % (target 100 %)`,
    `    buckets: ${describeBuckets(w)}`,
    // kube-apiserver calls admission webhooks over HTTP/1.1 (kubernetes#82090) and keeps a bounded
    // number of idle connections: a burst wider than that opens new ones, each a full handshake.
    `  connections the apiserver opened to the replicas during the burst: ${webhook.connections} (${webhook.connections > 0 ? (w.count / webhook.connections).toFixed(1) : '-'} calls per connection)`,
    `  ${ownDurations(namespace)}`,
  ];
}

t.test('report', async (t) => {
  const lines = [
    `scale: ${PODS} pipeline pods per burst, 2 webhook replicas behind one port; load average now ${la()}`,
    ...phaseLines(`StatefulSets (${STATEFULSETS} x ${REPLICAS} replicas, podManagementPolicy Parallel)`, stsBaseline, stsWebhook, NS.stsWebhook),
    ...phaseLines(`direct pod creates (${DIRECT_CONCURRENCY} at a time, keep-alive)`, directBaseline, directWebhook, NS.directWebhook),
    `admissions per replica: StatefulSets ${admissionsIn(NS.stsWebhook).join(' + ')}, direct ${admissionsIn(NS.directWebhook).join(' + ')}`,
  ];
  for (const line of lines) t.comment(line);
  t.ok(stsWebhook.webhookLatency.buckets.has(0.005) && stsWebhook.webhookLatency.buckets.has(0.025), 'the apiserver histogram has the 5 ms and 25 ms buckets');
});
