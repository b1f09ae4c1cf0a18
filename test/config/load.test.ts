import t from 'tap';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'fsi-config-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

t.test('no layers: the documented defaults', async (t) => {
  const config = loadConfig();
  t.ok(config.ok);
  if (config.ok) t.same(config.value, DEFAULT_CONFIG);
});

t.test('file, env and --set layer in that order', async (t) => {
  const path = file('a.yaml', 'pipeline:\n  allowInitContainers: false\nserver:\n  port: 9443\n  metricsPort: 9100\n');
  const config = loadConfig({
    file: path,
    env: { SIDECAR_INJECTOR_SERVER__PORT: '10443', SIDECAR_INJECTOR_POLICY__MAX_SIDECARS__MAX: '2', HOME: '/root' },
    sets: ['server.port=11443', 'policy.allowedImages.patterns=["a/*", "b/*"]'],
  });
  t.ok(config.ok, config.ok ? '' : config.error.message);
  if (!config.ok) return;
  t.equal(config.value.pipeline.allowInitContainers, false, 'from the file');
  t.equal(config.value.server.metricsPort, 9100, 'from the file');
  t.equal(config.value.policy.maxSidecars.max, 2, 'from env, parsed as a number');
  t.equal(config.value.server.port, 11443, '--set wins over env and file');
  t.same(config.value.policy.allowedImages.patterns, ['a/*', 'b/*']);
  t.equal(config.value.sidecars.defaultResources.requests.cpu, '250m', 'untouched defaults stay');
});

t.test('env names resource-map keys too', async (t) => {
  const config = loadConfig({ env: { SIDECAR_INJECTOR_SIDECARS__DEFAULT_RESOURCES__LIMITS__MEMORY: '1Gi' } });
  t.ok(config.ok);
  if (config.ok) t.same(config.value.sidecars.defaultResources.limits, { memory: '1Gi' }, 'a resource map given replaces the default one');
});

// [what, file content, expected message fragments]
const bad: [string, string, string[]][] = [
  ['unknown key', 'pipeline:\n  allowInitContainer: false\n', ['pipeline.allowInitContainer: unknown setting (known here: allowInitContainers,']],
  ['wrong type', 'pipeline:\n  allowInitContainers: "no"\n', ['pipeline.allowInitContainers: must be a boolean, got a string']],
  ['bad quantity', 'sidecars:\n  defaultResources:\n    limits: {cpu: lots}\n', ['sidecars.defaultResources.limits.cpu: "lots" is not a valid quantity']],
  ['default request above limit', 'sidecars:\n  defaultResources:\n    requests: {cpu: "2"}\n    limits: {cpu: "1"}\n', ['sidecars.defaultResources.requests.cpu: 2 is above sidecars.defaultResources.limits.cpu 1']],
  ['bad enum', 'policy:\n  podSecurity: {level: strict}\n', ['policy.podSecurity.level: must be one of privileged, baseline, restricted']],
  ['bad port', 'server:\n  port: 70000\n', ['server.port: must be a port number']],
  ['not a map', '- a\n- b\n', ['top level: must be a map']],
  ['not YAML', 'a: [\n', ['is not valid YAML']],
  ['a ConfigMap namespace that is not a name', 'pipeline:\n  configMap: {namespaces: [feldera, Team_A]}\n', ['pipeline.configMap.namespaces[1]: "Team_A" is not a namespace name']],
  ['a ConfigMap namespace twice', 'pipeline:\n  configMap: {namespaces: [feldera, feldera]}\n', ['pipeline.configMap.namespaces[1]: feldera is listed twice']],
  ['more than 100 ConfigMap namespaces', `pipeline:\n  configMap: {namespaces: [${Array.from({ length: 101 }, (_, i) => `ns-${i}`).join(', ')}]}\n`, ['pipeline.configMap.namespaces: at most 100 namespaces (one watch each), got 101']],
];
for (const [what, text, fragments] of bad) {
  t.test(`refused: ${what}`, async (t) => {
    const config = loadConfig({ file: file(`${what.replace(/\W/g, '-')}.yaml`, text) });
    t.notOk(config.ok);
    if (!config.ok) {
      t.equal(config.error.code, 'CONFIG_INVALID');
      for (const f of fragments) t.match(config.error.message, f);
    }
  });
}

t.test('pipeline.configMap.namespaces: a list from the file or --set', async (t) => {
  const fromFile = loadConfig({ file: file('namespaces.yaml', 'pipeline:\n  configMap:\n    namespaces: [feldera, team-a]\n') });
  const fromSet = loadConfig({ sets: ['pipeline.configMap.namespaces=[feldera]'] });
  t.strictSame(
    [fromFile.ok && fromFile.value.pipeline.configMap.namespaces, fromSet.ok && fromSet.value.pipeline.configMap.namespaces, DEFAULT_CONFIG.pipeline.configMap.namespaces],
    [['feldera', 'team-a'], ['feldera'], []],
  );
});

t.test('unknown SIDECAR_INJECTOR_ variable is refused with an example', async (t) => {
  const config = loadConfig({ env: { SIDECAR_INJECTOR_ALLOW: 'false' } });
  t.notOk(config.ok);
  if (!config.ok) t.match(config.error.message, 'SIDECAR_INJECTOR_PIPELINE__ALLOW_INIT_CONTAINERS=false');
});

t.test('missing config file', async (t) => {
  const config = loadConfig({ file: join(dir, 'nope.yaml') });
  t.notOk(config.ok);
  if (!config.ok) t.match(config.error.message, 'cannot read config file');
});

t.test('malformed --set', async (t) => {
  const config = loadConfig({ sets: ['pipeline.allowInitContainers'] });
  t.notOk(config.ok);
});
