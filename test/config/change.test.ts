// configChange(): which settings of a reloaded file apply now and which wait for a restart.
import t from 'tap';
import { changedPaths, configChange, RESTART_ONLY } from '../../src/config/change.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';

function edited(edit: (c: Config) => void): Config {
  const copy = structuredClone(DEFAULT_CONFIG);
  edit(copy);
  return copy;
}

// [what, the loaded file's edit, applied paths, paths that need a restart]
const cases: [string, (c: Config) => void, string[], string[]][] = [
  ['nothing changed', () => undefined, [], []],
  ['one live switch', (c) => (c.pipeline.allowInitContainers = false), ['pipeline.allowInitContainers'], []],
  ['a list', (c) => (c.policy.allowedImages.patterns = ['registry.example.com/*']), ['policy.allowedImages.patterns'], []],
  ['a resource map key added', (c) => (c.policy.resourceCaps.limits = { memory: '1Gi' }), ['policy.resourceCaps.limits.memory'], []],
  ['a resource map key removed', (c) => (c.sidecars.defaultResources.limits = { cpu: '500m' }), ['sidecars.defaultResources.limits.memory'], []],
  ['the log level', (c) => (c.log.level = 'debug'), ['log.level'], []],
  ['the listen port', (c) => (c.server.port = 9443), [], ['server.port']],
  ['the TLS files', (c) => (c.tls.certFile = '/elsewhere/tls.crt'), [], ['tls.certFile']],
  ['the certificate mode', (c) => (c.certificates.mode = 'selfManaged'), [], ['certificates.mode']],
  ['the ConfigMap namespaces (one informer each, started once)', (c) => (c.pipeline.configMap.namespaces = ['feldera']), [], ['pipeline.configMap.namespaces']],
  ['the ConfigMap name template (live)', (c) => (c.pipeline.configMap.nameTemplate = 'cfg-{id}'), ['pipeline.configMap.nameTemplate'], []],
  [
    'live and restart-only together',
    (c) => {
      c.server.metricsPort = 9191;
      c.policy.maxSidecars.max = 2;
      c.server.bodyLimitBytes = 1024;
    },
    ['policy.maxSidecars.max'],
    ['server.bodyLimitBytes', 'server.metricsPort'],
  ],
];

for (const [what, edit, applied, needsRestart] of cases) {
  t.test(what, async (t) => {
    const running = structuredClone(DEFAULT_CONFIG);
    const loaded = edited(edit);
    const change = configChange(running, loaded);
    t.strictSame(change.applied, applied, 'applied now');
    t.strictSame(change.needsRestart, needsRestart, 'waits for a restart');
    for (const section of RESTART_ONLY) {
      t.strictSame((change.config as unknown as Record<string, unknown>)[section], (running as unknown as Record<string, unknown>)[section], `${section}: the running values kept`);
    }
    t.strictSame(changedPaths(change.config as never, loaded as never).filter((p) => !needsRestart.includes(p)), [], 'everything else is the loaded file');
    t.strictSame(running, DEFAULT_CONFIG, 'the running configuration object is not modified');
  });
}

t.test('the kept sections are copies: editing the new config leaves the running one alone', async (t) => {
  const running = structuredClone(DEFAULT_CONFIG);
  const change = configChange(running, edited((c) => (c.server.port = 1)));
  change.config.server.host = 'changed';
  t.strictSame(running.server.host, DEFAULT_CONFIG.server.host);
});

t.test('changedPaths ignores key order and sees list order', async (t) => {
  t.strictSame(changedPaths({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }), []);
  t.strictSame(changedPaths({ a: ['x', 'y'] }, { a: ['y', 'x'] }), ['a']);
  t.strictSame(changedPaths({ a: { b: 1 } }, { a: null }), ['a']);
});
