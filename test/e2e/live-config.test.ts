// Live configuration through a real kube-apiserver (issue 9, point 5): the webhook process runs
// with a config file in a folder laid out like a mounted ConfigMap; swapping that file the way the
// kubelet does changes the next admission's answer, with the same process (same PID), and a
// broken file keeps the configuration in use, logged with its path, counted, readiness true.
import { ApiException, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import {
  apiErrorMessage,
  createNamespace,
  OPT_IN,
  pipelinePod,
  registerWebhook,
  startControlPlane,
  startWebhook,
  uniqueName,
  WEBHOOK_NAME,
} from './cluster/index.js';
import { httpsRequest } from './cluster/https-request.js';
import { assertExampleInjected, logReport, type Pod } from './helpers.js';

const cp = await startControlPlane();
t.comment(`control plane ready in ${cp.startupMs} ms at ${cp.server}`);
// The listen settings and TLS paths come from the harness's --set flags; they keep overriding the file.
const webhook = await startWebhook({ port: cp.webhookPort, config: { pipeline: { allowInitContainers: true }, log: { level: 'info' } } });
await registerWebhook(cp.kc, { port: cp.webhookPort, caBundle: webhook.caBundle });
const core = cp.kc.makeApiClient(CoreV1Api);
const pid = webhook.process()?.pid;
const ns = uniqueName('live');
await createNamespace(cp.kc, { name: ns, labels: OPT_IN });

t.teardown(async () => {
  if (!t.passing()) process.stderr.write(`${logReport(cp, [webhook])}\n`);
  await webhook.dispose();
  await cp.stop();
});

const DENIED_MESSAGE = 'pipeline.allowInitContainers: false';
const RELOADED = 'config reloaded';
const FAILED = 'config reload failed; keeping the previous configuration';

/** Creates a pipeline pod through client-node: the stored pod, or the apiserver's refusal. */
async function createPipelinePod(name: string): Promise<{ pod: Pod } | { status: number; message: string }> {
  try {
    const stored = await core.createNamespacedPod({ namespace: ns, body: pipelinePod({ namespace: ns, name }) as V1Pod });
    return { pod: stored as unknown as Pod };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    return { status: error.code, message: apiErrorMessage(error) };
  }
}

async function metrics(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${webhook.metricsPort}/metrics`);
  return res.text();
}

function counted(text: string, result: 'success' | 'failure'): number {
  const series = `feldera_sidecar_injector_config_reloads_total{result="${result}"} `;
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? Number.NaN : Number(line.slice(series.length));
}

async function readyz(): Promise<number> {
  return (await httpsRequest({ url: `https://127.0.0.1:${cp.webhookPort}/readyz`, ca: webhook.ca.cert, timeoutMs: 2000 })).status;
}

t.test('with the first file, a pipeline pod is injected', async (t) => {
  t.ok(webhook.configFile?.endsWith('/config.yaml'), `started with --config ${webhook.configFile}`);
  const created = await createPipelinePod('first-0');
  if (!('pod' in created)) return t.fail(`refused: HTTP ${created.status} ${created.message}`);
  assertExampleInjected(t, created.pod, null);
});

t.test('allowInitContainers flipped to false by a ..data swap: the next pod is denied with our message, same process', async (t) => {
  webhook.writeConfig({ pipeline: { allowInitContainers: false }, log: { level: 'info' } });
  const line = await webhook.waitForLog('the reload', (l) => l.msg === RELOADED);
  t.strictSame([line.file, line.changed], [webhook.configFile, ['pipeline.allowInitContainers']], 'logged with the file and the setting');
  const created = await createPipelinePod('flipped-0');
  t.notOk('pod' in created, 'the pod is not created');
  if ('pod' in created) return;
  t.ok(created.status >= 400 && created.status < 500, `HTTP 4xx from the apiserver (got ${created.status})`);
  t.match(created.message, `admission webhook "${WEBHOOK_NAME}" denied the request`, 'denied by our webhook');
  t.match(created.message, DENIED_MESSAGE, 'with our message');
  await webhook.waitForLog('the denial', (l) => l.msg === 'admission' && l.pod === 'flipped-0' && l.decision === 'denied');
  t.strictSame(webhook.process()?.pid, pid, 'the same webhook process (no restart)');
  t.strictSame(counted(await metrics(), 'success'), 1, 'config_reloads_total{result="success"} 1');
});

t.test('a broken file: the old config kept, a log line with the path, counted, still ready', async (t) => {
  webhook.writeConfig('pipeline:\n  allowInitContainers: [true\nlog:\n  level: info\n');
  const line = await webhook.waitForLog('the failed reload', (l) => l.msg === FAILED);
  t.strictSame(line.file, webhook.configFile, 'the line names the file');
  t.match(String(line.reason), `config file ${String(webhook.configFile)} is not valid YAML: line `, 'and where in it');
  t.strictSame(counted(await metrics(), 'failure'), 1, 'config_reloads_total{result="failure"} 1');
  t.strictSame(await readyz(), 200, 'readiness stays true');
  const created = await createPipelinePod('broken-0');
  t.ok(!('pod' in created) && created.message.includes(DENIED_MESSAGE), 'the previous configuration still decides (denied)');

  webhook.writeConfig({ pipeline: { allowInitContainers: 'no' }, log: { level: 'info' } });
  const typed = await webhook.waitForLog('the second failed reload', (l) => l.msg === FAILED && l !== line);
  t.match(String(typed.reason), `${String(webhook.configFile)}: pipeline.allowInitContainers: must be a boolean`, 'a wrong value: the file and the setting path');
  t.strictSame(counted(await metrics(), 'failure'), 2, 'counted again');
  t.strictSame(await readyz(), 200, 'still ready');
  t.strictSame(webhook.process()?.pid, pid, 'the same process');
});

t.test('flipped back to true: the next pod is injected again, same process', async (t) => {
  webhook.writeConfig({ pipeline: { allowInitContainers: true }, log: { level: 'info' } });
  await webhook.waitForLog('the second reload', (l) => l.msg === RELOADED && Array.isArray(l.changed) && webhook.lines.filter((x) => x.msg === RELOADED).length === 2);
  const created = await createPipelinePod('back-0');
  if (!('pod' in created)) return t.fail(`refused: HTTP ${created.status} ${created.message}`);
  assertExampleInjected(t, created.pod, null);
  t.strictSame(webhook.process()?.pid, pid, 'the same process throughout');
  t.strictSame(counted(await metrics(), 'success'), 2);
});
