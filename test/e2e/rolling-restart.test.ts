// End to end, graceful rollout (issue 4, point 3): pipeline pods are created without pause while
// the webhook's replicas are replaced one by one, the way a Deployment's rolling update does it
// (maxSurge 1, maxUnavailable 0): start a new replica, wait until it is ready and in rotation,
// SIGTERM an old one. Every create must succeed and be injected.
//
// There is no Service here, so readiness-proxy.ts plays one: it owns the port the apiserver calls
// (cp.webhookPort, the host:port the apiserver's webhook client identity is configured for),
// passes TLS through to the replicas (each on its own port, all serving certificates from one CA),
// sends each new connection to a replica whose /readyz is 200, and drops a replica from rotation
// as soon as a probe says otherwise. Existing connections stay put, as with kube-proxy: only the
// draining replica's `Connection: close` moves the apiserver's keep-alive connections elsewhere.
//
// The negative control SIGKILLs a replica (no drain) under the same load and reports what that
// costs: it shows the counting above is able to see failures.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  createNamespace,
  freePort,
  newAuthority,
  OPT_IN,
  pipelinePod,
  registerWebhook,
  sleep,
  startControlPlane,
  startWebhook,
  uniqueName,
  waitFor,
  type KubeStatus,
  type Webhook,
  type WebhookLogLine,
} from './cluster/index.js';
import { repoRoot } from './cluster/paths.js';
import { assertAllStoredInjected, listPods, logReport } from './helpers.js';
import { startReadinessProxy, type ReadinessProxy } from './readiness-proxy.js';

const DRAIN_SECONDS = 3;
/** server.ts: after the drain period, in-flight requests get this long before connections are cut. */
const CLOSE_GRACE_MS = 2000;
const CONCURRENCY = 4;
const POLL_INTERVAL_MS = 150;
/** Bounds a load phase whatever happens (a run makes ~50 creates a second). */
const MAX_CREATES = 5000;

// ---------------------------------------------------------------------------------------------
// Exit status of a replica's process, recorded when it happens (the test signals it itself).
interface ChildRecord {
  pid: number;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  exitedAt: number | null;
}

function childOf(webhook: Webhook): ChildRecord {
  const proc = webhook.process();
  if (proc === null) throw new Error(`no webhook process for port ${webhook.port}`);
  const record: ChildRecord = { pid: proc.pid, exit: null, exitedAt: null };
  void proc.exited.then((info) => {
    record.exit = { code: info.code, signal: info.signal };
    record.exitedAt = Date.now();
  });
  return record;
}

// ---------------------------------------------------------------------------------------------
const cp = await startControlPlane();
t.comment(`control plane ready in ${cp.startupMs} ms at ${cp.server}`);
const ca = newAuthority('feldera-e2e webhook serving CA');
const webhooks: Webhook[] = [];
const proxy: ReadinessProxy = await startReadinessProxy({ port: cp.webhookPort, ca: ca.cert, pollIntervalMs: POLL_INTERVAL_MS });
const keepAlive = new Agent({ keepAlive: true, ca: ca.cert, maxSockets: 1 });

t.teardown(async () => {
  if (!t.passing()) {
    process.stderr.write(`${logReport(cp, webhooks)}\n`);
    process.stderr.write(`[e2e] proxy backends: ${JSON.stringify(proxy.backends())}\n[e2e] rotation: ${JSON.stringify(proxy.events)}\n`);
  }
  keepAlive.destroy();
  await proxy.close();
  for (const w of webhooks) await w.dispose();
  await cp.stop();
});

interface Replica {
  name: string;
  webhook: Webhook;
  child: ChildRecord;
  startMs: number;
}

async function startReplica(name: string): Promise<Replica> {
  const started = Date.now();
  const webhook = await startWebhook({ port: await freePort(), ca, set: { 'server.drainSeconds': DRAIN_SECONDS } });
  webhooks.push(webhook);
  proxy.add(name, webhook.port);
  await proxy.waitForRotation(name, true, 10_000);
  return { name, webhook, child: childOf(webhook), startMs: Date.now() - started };
}

/** Pipeline pod creates through the apiserver, CONCURRENCY at a time, until stop(). */
interface CreateResult {
  name: string;
  status: number;
  message: string;
  startedAt: number;
  endedAt: number;
}
function startLoad(namespace: string, prefix: string): { results: CreateResult[]; stop: () => Promise<CreateResult[]> } {
  const results: CreateResult[] = [];
  let next = 0;
  let stopping = false;
  const create = async (): Promise<void> => {
    const name = `${prefix}-${String(next++).padStart(5, '0')}`;
    const startedAt = Date.now();
    try {
      const res = await cp.rest.post<KubeStatus>(`/api/v1/namespaces/${namespace}/pods`, pipelinePod({ namespace, name }));
      results.push({ name, status: res.status, message: res.status === 201 ? '' : (res.body.message ?? res.text), startedAt, endedAt: Date.now() });
    } catch (error) {
      results.push({ name, status: 0, message: error instanceof Error ? error.message : String(error), startedAt, endedAt: Date.now() });
      await sleep(50); // the apiserver is unreachable: no busy loop
    }
  };
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (!stopping && next < MAX_CREATES) await create();
  });
  return {
    results,
    async stop() {
      stopping = true;
      await Promise.all(workers);
      return results;
    },
  };
}

/** An AdmissionReview for a pipeline pod, posted straight to one replica (not via the apiserver). */
function directReview(): { uid: string; body: string } {
  const review = JSON.parse(readFileSync(join(repoRoot(), 'test', 'fixtures', 'admission-review-pipeline-pod.json'), 'utf8')) as {
    request: { uid: string; namespace: string; object: { metadata: { namespace?: string } } };
  };
  const uid = randomUUID();
  review.request.uid = uid;
  review.request.namespace = 'direct-probe';
  review.request.object.metadata.namespace = 'direct-probe';
  return { uid, body: JSON.stringify(review) };
}

/** POST /mutate on a keep-alive agent (so `Connection: close` in the answer is the server's choice). */
function postReview(port: number, body: string): Promise<{ status: number; connection: string; allowed: unknown; patched: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/mutate', method: 'POST', agent: keepAlive, headers: { 'content-type': 'application/json' }, timeout: 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { response?: { allowed?: unknown; patch?: string } };
          resolve({
            status: res.statusCode ?? 0,
            connection: String(res.headers.connection ?? ''),
            allowed: parsed.response?.allowed,
            patched: typeof parsed.response?.patch === 'string',
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('POST /mutate timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

async function readyz(port: number): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', ca: ca.cert, agent: false, timeout: 1000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

const isAdmission = (namespace: string) => (l: WebhookLogLine) => l.msg === 'admission' && l.namespace === namespace && l.dryRun !== true;
const isDraining = (l: WebhookLogLine): boolean => typeof l.msg === 'string' && l.msg.startsWith('draining');

interface DrainReport {
  notReadyAfterMs: number;
  outOfRotationAfterMs: number;
  exitedAfterMs: number;
  admissionsDuringDrain: number;
}

/** kubelet's side of a pod deletion: SIGTERM, then watch the replica drain and exit. */
async function terminate(t: Test, replica: Replica, namespace: string): Promise<DrainReport> {
  const { webhook, child, name } = replica;
  const sigtermAt = Date.now();
  process.kill(child.pid, 'SIGTERM');

  // Readiness turns false at once (before the process stops serving).
  const notReady = await waitFor(
    `${name} /readyz to answer 503`,
    async () => {
      const answer = await readyz(webhook.port);
      return 'status' in answer && answer.status === 503 ? answer : undefined;
    },
    { timeoutMs: 2000, intervalMs: 10 },
  );
  const notReadyAfterMs = Date.now() - sigtermAt;
  t.match(JSON.parse(notReady.body), { ready: false, draining: true }, `${name}: /readyz answers 503 draining, ${notReadyAfterMs} ms after SIGTERM`);
  const out = await proxy.waitForRotation(name, false, 2000);
  const outOfRotationAfterMs = (out?.at ?? Date.now()) - sigtermAt;
  t.equal(out?.probe, '503', `${name}: out of rotation because its probe saw 503 (${outOfRotationAfterMs} ms after SIGTERM)`);

  // Still serving during the drain, and telling the client to reconnect.
  const review = directReview();
  const answer = await postReview(webhook.port, review.body);
  t.same(answer, { status: 200, connection: 'close', allowed: true, patched: true }, `${name}: during the drain a review is still answered (injected), with Connection: close`);
  t.ok(Date.now() - sigtermAt < DRAIN_SECONDS * 1000, `${name}: that answer came within the drain period`);

  const exit = await waitFor(`${name} to exit`, () => child.exit ?? undefined, { timeoutMs: DRAIN_SECONDS * 1000 + CLOSE_GRACE_MS + 5000, intervalMs: 20 });
  const exitedAfterMs = (child.exitedAt ?? Date.now()) - sigtermAt;
  t.same(exit, { code: 0, signal: null }, `${name}: exits 0 after SIGTERM`);
  t.ok(exitedAfterMs >= DRAIN_SECONDS * 1000, `${name}: not before the ${DRAIN_SECONDS} s drain period (${exitedAfterMs} ms)`);
  t.ok(exitedAfterMs < DRAIN_SECONDS * 1000 + CLOSE_GRACE_MS + 1500, `${name}: and soon after it (${exitedAfterMs} ms)`);
  await webhook.waitForLog('server closed', (l) => l.msg === 'server closed', 5000);

  const drainIndex = webhook.lines.findIndex(isDraining);
  t.ok(drainIndex >= 0, `${name}: logged the drain`);
  const afterDrain = webhook.lines.slice(drainIndex);
  t.ok(afterDrain.some((l) => l.msg === 'admission' && l.uid === review.uid), `${name}: the direct review was logged after the drain began`);
  const admissionsDuringDrain = afterDrain.filter(isAdmission(namespace)).length;
  t.notOk(webhook.lines.some((l) => l.msg === 'shutdown failed'), `${name}: no "shutdown failed"`);
  return { notReadyAfterMs, outOfRotationAfterMs, exitedAfterMs, admissionsDuringDrain };
}

const replicas = new Map<string, Replica>();

t.test('rolling restart under load: every pod create succeeds and is injected', async (t) => {
  const [a, b] = await Promise.all([startReplica('A'), startReplica('B')]);
  replicas.set('A', a);
  replicas.set('B', b);
  await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: a.webhook.caBundle });
  const ns = uniqueName('rollout');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });

  // Control for the header check below: a ready replica keeps the connection open.
  const control = await postReview(b.webhook.port, directReview().body);
  t.same(control, { status: 200, connection: 'keep-alive', allowed: true, patched: true }, 'a ready replica answers with Connection: keep-alive');

  const loadStart = Date.now();
  const stamp = (): string => `${((Date.now() - loadStart) / 1000).toFixed(1)} s`;
  const timeline: string[] = [];
  const load = startLoad(ns, 'roll');
  const drains: Record<string, DrainReport> = {};
  try {
    await sleep(1500);
    for (const [oldName, newName] of [
      ['A', 'C'],
      ['B', 'D'],
    ] as const) {
      const fresh = await startReplica(newName);
      replicas.set(newName, fresh);
      timeline.push(`${stamp()} ${newName} ready and in rotation (started in ${fresh.startMs} ms)`);
      await sleep(500);
      const old = replicas.get(oldName);
      if (old === undefined) throw new Error(`no replica ${oldName}`);
      timeline.push(`${stamp()} SIGTERM ${oldName}`);
      drains[oldName] = await terminate(t, old, ns);
      timeline.push(`${stamp()} ${oldName} exited`);
    }
    await sleep(1500);
  } finally {
    await load.stop();
  }
  const loadMs = Date.now() - loadStart;
  const results = load.results;

  const failed = results.filter((r) => r.status !== 201);
  t.same(
    failed.map((r) => `${r.name}: ${r.status} ${r.message}`),
    [],
    `all ${results.length} pod creates during the rollout succeeded`,
  );
  t.ok(results.length >= 100, `hundreds of creates (${results.length} in ${(loadMs / 1000).toFixed(1)} s)`);

  await assertAllStoredInjected(t, cp, ns, results.length);

  // Each pod is admitted twice: the injection, then the apiserver's reinvocation (IfNeeded: a later
  // admission plugin changed the pod), answered "unchanged". Both count as admissions served.
  const admissionsOf = (r: Replica): WebhookLogLine[] => r.webhook.lines.filter(isAdmission(ns));
  // Log lines are written asynchronously: give the running replicas' last lines a moment to arrive.
  const loggedInjection = (name: string): boolean => [...replicas.values()].some((r) => admissionsOf(r).some((l) => l.decision === 'injected' && l.pod === name));
  await waitFor('every injection to be logged', () => (results.every((r) => loggedInjection(r.name)) ? true : undefined), { timeoutMs: 5000, intervalMs: 50 }).catch(
    () => undefined, // the assertion below names what is missing
  );
  const perReplica = Object.fromEntries([...replicas.values()].map((r) => [r.name, admissionsOf(r).length]));
  const injectedBy = Object.fromEntries([...replicas.values()].map((r) => [r.name, admissionsOf(r).filter((l) => l.decision === 'injected').length]));
  const injectedPods = new Set([...replicas.values()].flatMap((r) => admissionsOf(r).filter((l) => l.decision === 'injected').map((l) => String(l.pod))));
  t.same(
    results.filter((r) => !injectedPods.has(r.name)).map((r) => r.name),
    [],
    'every created pod was injected by one of the replicas (their admission logs)',
  );
  t.ok(Object.values(perReplica).filter((n) => n > 0).length > 1, `admissions were served by more than one replica: ${JSON.stringify(perReplica)}`);
  for (const name of ['C', 'D']) t.ok((perReplica[name] ?? 0) > 0, `new replica ${name} took over admissions`);
  t.ok(
    Object.values(drains).some((d) => d.admissionsDuringDrain > 0),
    `a draining replica answered apiserver admissions during its drain (${Object.entries(drains).map(([n, d]) => `${n}: ${d.admissionsDuringDrain}`).join(', ')})`,
  );

  const latencies = results.map((r) => r.endedAt - r.startedAt).sort((x, y) => x - y);
  t.comment(`rollout: ${results.length} creates in ${(loadMs / 1000).toFixed(1)} s (${CONCURRENCY} concurrent), ${failed.length} failed; admissions per replica ${JSON.stringify(perReplica)}, of them injections ${JSON.stringify(injectedBy)}`);
  t.comment(`create latency p50 ${latencies[Math.floor(latencies.length / 2)]} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]} ms, max ${latencies.at(-1)} ms`);
  for (const [name, d] of Object.entries(drains)) {
    t.comment(
      `${name}: /readyz 503 after ${d.notReadyAfterMs} ms, out of rotation after ${d.outOfRotationAfterMs} ms, ${d.admissionsDuringDrain} apiserver admissions during the drain, exit 0 after ${d.exitedAfterMs} ms`,
    );
  }
  t.comment(`timeline: ${timeline.join('; ')}`);
  t.comment(`proxy connections per backend: ${JSON.stringify(Object.fromEntries(proxy.backends().map((b) => [b.name, b.connections])))}; refused ${JSON.stringify(proxy.refused)}`);
});

t.test('negative control: a replica SIGKILLed (no drain) under the same load', async (t) => {
  const c = replicas.get('C');
  const d = replicas.get('D');
  if (c === undefined || d === undefined || c.child.exit !== null || d.child.exit !== null) {
    t.fail('replicas C and D must be running (the rollout case failed early)');
    return;
  }
  const ns = uniqueName('sigkill');
  await createNamespace(cp.kc, { name: ns, labels: OPT_IN });
  const refusedBefore = { ...proxy.refused };
  const load = startLoad(ns, 'kill');
  let killedAt = 0;
  try {
    await sleep(1500);
    killedAt = Date.now();
    process.kill(c.child.pid, 'SIGKILL');
    await proxy.waitForRotation('C', false, 2000);
    await sleep(2000);
  } finally {
    await load.stop();
  }
  const results = load.results;
  const failed = results.filter((r) => r.status !== 201);
  const out = proxy.events.filter((e) => e.backend === 'C' && e.change === 'out').at(-1);
  t.same(c.child.exit, { code: null, signal: 'SIGKILL' }, 'C was killed by SIGKILL');
  const pods = await listPods(cp, ns);
  t.equal(pods.length, results.length - failed.length, 'the stored pods are exactly the successful creates');
  t.ok(results.length >= 50, `creates ran across the kill (${results.length})`);
  const messages = [...new Set(failed.map((r) => r.message.replace(/kill-\d+/g, 'kill-N').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')))];
  t.comment(
    `SIGKILL: ${failed.length} of ${results.length} creates failed (${failed.filter((r) => r.startedAt <= killedAt + 1000 && r.endedAt >= killedAt).length} of them around the kill); C out of rotation ${out === undefined ? '?' : out.at - killedAt} ms after the kill (probe: ${out?.probe ?? '?'}); proxy resets since: no backend ${proxy.refused.noBackend - refusedBefore.noBackend}, backend refused ${proxy.refused.backendError - refusedBefore.backendError}`,
  );
  for (const message of messages.slice(0, 5)) t.comment(`  failure: ${message}`);
  t.pass(`recorded (not asserted: whether a SIGKILL costs creates depends on what was in flight): ${failed.length} failures`);
});
