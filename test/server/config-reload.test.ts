// Live configuration through a real server: the config file in a folder laid out the way the
// kubelet mounts a ConfigMap (files are symlinks through `..data`, which is renamed over
// atomically, like the kubelet's AtomicWriter), swapped while the server runs.
import { NO_CLUSTER } from '../../src/cluster/context.js';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { stringify } from 'yaml';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load.js';
import { decide as realDecide } from '../../src/decide.js';
import { startServer, type ServerHandle } from '../../src/server/index.js';
import type { DecideFunction } from '../../src/server/index.js';
import {
  JSON_HEADERS,
  KubeletSecretDir,
  captureLogger,
  devCerts,
  eventually,
  fixtureText,
  http,
  https,
  metricValue,
  sleep,
  tempDir,
  type CapturedLogger,
} from './harness.js';

const fixture = await fixtureText();
const RELOADS = 'feldera_sidecar_injector_config_reloads_total';
const LOADED_AT = 'feldera_sidecar_injector_config_last_reload_success_timestamp_seconds';

interface LiveServer {
  handle: ServerHandle;
  logs: CapturedLogger;
  ca: string;
  file: string;
  /** Swaps the whole file (one rename of ..data). */
  write(values: Record<string, unknown> | string): Promise<void>;
  admit(): Promise<{ allowed: boolean; message: string }>;
  metrics(): Promise<string>;
  lines(msg: string): Record<string, unknown>[];
}

interface LiveOptions {
  env?: NodeJS.ProcessEnv;
  sets?: string[];
  decide?: DecideFunction;
  debounceMs?: number;
}

async function liveServer(t: Test, first: Record<string, unknown>, options: LiveOptions = {}): Promise<LiveServer> {
  const certs = await devCerts(t);
  const dir = await tempDir(t, 'fsi-configmap-');
  const folder = new KubeletSecretDir(dir);
  const file = join(dir, 'config.yaml');
  // The listening settings live in the file too, as in the chart: a reload must keep them.
  const base = {
    server: { host: '127.0.0.1', port: 0, metricsHost: '127.0.0.1', metricsPort: 0, drainSeconds: 0 },
    tls: { certFile: certs.files.tlsCert, keyFile: certs.files.tlsKey },
  };
  const write = (values: Record<string, unknown> | string): Promise<void> =>
    folder.write({ 'config.yaml': typeof values === 'string' ? values : stringify({ ...base, ...values }) });
  await write(first);
  const load = () => loadConfig({ file, env: options.env ?? {}, sets: options.sets ?? [] });
  const initial = load();
  if (!initial.ok) throw new Error(initial.error.message);
  const logs = captureLogger();
  // A long poll: each change must be seen by the folder watch.
  const handle = await startServer(initial.value, {
    logger: logs.logger,
    configReload: { file, load, debounceMs: options.debounceMs ?? 50, pollIntervalMs: 60_000 },
    ...(options.decide === undefined ? {} : { decide: options.decide }),
  });
  t.teardown(() => handle.close());
  return {
    handle,
    logs,
    ca: certs.caCertPem,
    file,
    write,
    async admit() {
      const answer = await https({ port: handle.port, ca: certs.caCertPem, body: fixture, headers: JSON_HEADERS });
      if (answer.status !== 200) throw new Error(`HTTP ${answer.status} ${answer.text}`);
      const response = (answer.json() as { response: { allowed: boolean; status?: { message?: string } } }).response;
      return { allowed: response.allowed, message: response.status?.message ?? '' };
    },
    metrics: async () => (await http(handle.metricsPort, '/metrics')).text,
    lines: (msg) => logs.lines.filter((line) => line.msg === msg),
  };
}

t.test('a swapped ..data flips allowInitContainers for the next admission, without a restart', async (t) => {
  const live = await liveServer(t, { pipeline: { allowInitContainers: true } });
  t.strictSame((await live.admit()).allowed, true, 'injected with the first file');
  const before = await live.metrics();
  t.strictSame(metricValue(before, `${RELOADS}{result="success"}`), 0, 'no reload counted yet');
  const loadedAtStart = metricValue(before, LOADED_AT);
  t.ok(loadedAtStart > 0, 'the load at start is the last successful load');

  await sleep(20);
  await live.write({ pipeline: { allowInitContainers: false } });
  t.ok(await eventually(() => live.lines('config reloaded').length === 1), 'the folder watch saw the swap');
  const denied = await live.admit();
  t.strictSame(denied.allowed, false, 'the next admission is denied');
  t.match(denied.message, 'pipeline.allowInitContainers: false', 'with our message');
  t.strictSame(live.lines('config reloaded')[0], { ...live.lines('config reloaded')[0], file: live.file, changed: ['pipeline.allowInitContainers'] }, 'logged with the file and the setting that changed');

  const after = await live.metrics();
  t.strictSame(metricValue(after, `${RELOADS}{result="success"}`), 1, 'one success counted');
  t.strictSame(metricValue(after, `${RELOADS}{result="failure"}`), 0, 'no failure');
  t.ok(metricValue(after, LOADED_AT) > loadedAtStart, 'the last successful reload time moved');
  t.strictSame(live.handle.config().pipeline.allowInitContainers, false);
});

// [what, the broken file, a fragment the logged reason must contain]
const broken: [string, string, string][] = [
  ['a YAML error', 'pipeline:\n  allowInitContainers: true\n  port: [8080\n', 'is not valid YAML: line 4, column 1'],
  ['a wrong type', stringify({ pipeline: { allowInitContainers: 'yes please' } }), 'config.yaml: pipeline.allowInitContainers: must be a boolean, got a string'],
  ['an unknown setting', stringify({ pipeline: { allowInitContainer: true } }), 'config.yaml: pipeline.allowInitContainer: unknown setting'],
  ['an invalid value', stringify({ policy: { podSecurity: { level: 'strict' } } }), 'policy.podSecurity.level: must be one of privileged, baseline, restricted'],
  ['a bad quantity', stringify({ sidecars: { defaultResources: { limits: { cpu: 'lots' } } } }), 'sidecars.defaultResources.limits.cpu'],
];

t.test('a broken file keeps the old config, is logged with the file and the mistake, counted; readiness stays true', async (t) => {
  const live = await liveServer(t, { pipeline: { allowInitContainers: false } });
  for (const [i, [what, text, fragment]] of broken.entries()) {
    await live.write(text);
    t.ok(await eventually(() => live.lines('config reload failed; keeping the previous configuration').length === i + 1), `${what}: the failure is logged`);
    const line = live.lines('config reload failed; keeping the previous configuration')[i];
    t.strictSame(line?.file, live.file, `${what}: the line names the file`);
    t.strictSame(line?.code, 'CONFIG_INVALID', `${what}: with the error code`);
    t.match(String(line?.reason), fragment, `${what}: and the mistake (${fragment})`);
    t.strictSame(line?.level, 40, `${what}: as a warning`);
    const answer = await live.admit();
    t.strictSame([answer.allowed, answer.message.includes('pipeline.allowInitContainers: false')], [false, true], `${what}: the old config still decides`);
    const ready = await https({ port: live.handle.port, ca: live.ca, method: 'GET', path: '/readyz' });
    t.strictSame(ready.status, 200, `${what}: still ready`);
    t.strictSame(metricValue(await live.metrics(), `${RELOADS}{result="failure"}`), i + 1, `${what}: failure counted`);
  }
  t.notOk(live.logs.raw.join('').includes('yes please'), 'the log never quotes a value from the file');
  await live.write({ pipeline: { allowInitContainers: true } });
  t.ok(await eventually(() => live.lines('config reloaded').length === 1), 'a fixed file is taken again');
  t.strictSame((await live.admit()).allowed, true, 'and decides the next admission');
  t.strictSame(metricValue(await live.metrics(), `${RELOADS}{result="success"}`), 1);
});

t.test('environment variables and --set keep overriding the file after a reload', async (t) => {
  const live = await liveServer(t, { log: { level: 'info' } }, {
    env: { SIDECAR_INJECTOR_PIPELINE__ALLOW_INIT_CONTAINERS: 'false' },
    sets: ['policy.maxSidecars.max=5'],
  });
  await live.write({ pipeline: { allowInitContainers: true }, policy: { maxSidecars: { max: 1 } }, log: { level: 'debug' } });
  t.ok(await eventually(() => live.lines('config reloaded').length === 1), 'reloaded');
  const config = live.handle.config();
  t.strictSame(
    [config.pipeline.allowInitContainers, config.policy.maxSidecars.max, config.log.level],
    [false, 5, 'debug'],
    'env and --set still win; the file sets what they leave',
  );
  t.strictSame(live.lines('config reloaded')[0]?.changed, ['log.level'], 'only the setting that really changed is reported');
  t.strictSame(live.logs.logger.level, 'debug', 'the running logger takes the new level');
  t.strictSame((await live.admit()).allowed, false, 'the env override still denies init containers');
});

t.test('listen and TLS settings are logged as needing a restart and kept; the rest applies', async (t) => {
  const live = await liveServer(t, {});
  const running = structuredClone(live.handle.config());
  await live.write(
    stringify({
      server: { host: '127.0.0.1', port: 0, metricsHost: '127.0.0.1', metricsPort: 0, drainSeconds: 3, bodyLimitBytes: 1024 },
      tls: { certFile: '/nowhere/tls.crt', keyFile: running.tls.keyFile },
      certificates: { mode: 'selfManaged' },
      policy: { maxSidecars: { max: 4 } },
    }),
  );
  t.ok(await eventually(() => live.lines('config reloaded').length === 1), 'reloaded');
  const warning = live.lines('config change needs a restart to take effect; keeping the running values of these settings')[0];
  t.strictSame(warning?.settings, ['certificates.mode', 'server.bodyLimitBytes', 'server.drainSeconds', 'tls.certFile'], 'each setting named');
  t.strictSame(warning?.level, 40, 'as a warning');
  const config = live.handle.config();
  t.strictSame([config.server, config.tls, config.certificates], [running.server, running.tls, running.certificates], 'the running values kept');
  t.strictSame(config.policy.maxSidecars.max, 4, 'the live setting applied');
  t.strictSame(live.handle.isReady(), true, 'still ready');
});

t.test('a burst of swaps is one reload, of the last file', async (t) => {
  const live = await liveServer(t, { policy: { maxSidecars: { max: 1 } } }, { debounceMs: 300 });
  for (let max = 2; max <= 6; max++) await live.write({ policy: { maxSidecars: { max } } });
  t.ok(await eventually(() => live.lines('config reloaded').length >= 1), 'reloaded');
  await sleep(600);
  t.strictSame(live.lines('config reloaded').length, 1, 'one reload for five swaps');
  t.strictSame(live.handle.config().policy.maxSidecars.max, 6, 'the last file');
  t.strictSame(metricValue(await live.metrics(), `${RELOADS}{result="success"}`), 1);
});

t.test('while the file flips, every admission decides with one whole configuration', async (t) => {
  // The two files differ in two settings: a decision that saw one from each would be a torn read.
  const A = { pipeline: { allowInitContainers: true }, policy: { maxSidecars: { max: 7 } } };
  const B = { pipeline: { allowInitContainers: false }, policy: { maxSidecars: { max: 3 } } };
  const seen: Config[] = [];
  const live = await liveServer(t, A, {
    debounceMs: 5,
    decide: (review, config) => {
      seen.push(config);
      return realDecide(review, config, NO_CLUSTER);
    },
  });
  let stop = false;
  const outcomes = { allowed: 0, denied: 0 };
  const loop = async (): Promise<void> => {
    while (!stop) {
      const answer = await live.admit();
      outcomes[answer.allowed ? 'allowed' : 'denied'] += 1;
    }
  };
  const loops = [loop(), loop(), loop()];
  for (let i = 0; i < 10; i++) {
    await live.write(i % 2 === 0 ? B : A);
    await eventually(() => live.handle.config().policy.maxSidecars.max === (i % 2 === 0 ? 3 : 7), 2000, 5);
    await sleep(20);
  }
  stop = true;
  await Promise.all(loops);
  const pairs = new Set(seen.map((c) => `${String(c.pipeline.allowInitContainers)}/${String(c.policy.maxSidecars.max)}`));
  t.strictSame([...pairs].sort(), ['false/3', 'true/7'], 'only whole configurations, both of them');
  t.ok(outcomes.allowed > 0 && outcomes.denied > 0, `injected and denied answers (${outcomes.allowed}/${outcomes.denied}), every one HTTP 200`);
  t.strictSame(live.lines('config reloaded').length, 10, 'each swap one reload');
});

t.test('without live configuration the config stays and reloadConfig() reports unchanged', async (t) => {
  const certs = await devCerts(t);
  const initial = loadConfig({ sets: ['server.host=127.0.0.1', 'server.port=0', 'server.metricsPort=0', `tls.certFile=${certs.files.tlsCert}`, `tls.keyFile=${certs.files.tlsKey}`] });
  if (!initial.ok) throw new Error(initial.error.message);
  const handle = await startServer(initial.value, { logger: captureLogger().logger });
  t.teardown(() => handle.close());
  t.strictSame(await handle.reloadConfig(), 'unchanged');
  t.equal(handle.config(), initial.value, 'the very object it started with');
});
