// `serve --config-reload live|off`: which configuration the server is told to watch.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { liveConfig } from '../../src/cli/serve.js';
import type { Values } from '../../src/cli/args.js';

// [what, flags, the watched file or null]
const cases: [string, Values, string | null][] = [
  ['--config: watched by default', { config: '/etc/fsi/config.yaml' }, '/etc/fsi/config.yaml'],
  ['--config-reload live', { config: '/etc/fsi/config.yaml', 'config-reload': 'live' }, '/etc/fsi/config.yaml'],
  ['--config-reload off (the chart\'s rollout mode): read once', { config: '/etc/fsi/config.yaml', 'config-reload': 'off' }, null],
  ['no config file: nothing to watch', {}, null],
];
for (const [what, values, file] of cases) {
  t.test(what, async (t) => {
    t.strictSame(liveConfig(values)?.file ?? null, file);
  });
}

t.test('the reload re-reads the file with the flags of the start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fsi-serve-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, 'server:\n  port: 1000\npipeline:\n  allowInitContainers: true\n');
  const reload = liveConfig({ config: file, port: '9443' });
  writeFileSync(file, 'server:\n  port: 1000\npipeline:\n  allowInitContainers: false\n');
  const loaded = reload?.load();
  t.strictSame(loaded?.ok ? [loaded.value.pipeline.allowInitContainers, loaded.value.server.port] : loaded, [false, 9443], 'the file as it is now, --port over it');
  rmSync(file);
  const missing = reload?.load();
  t.match(missing?.ok === false ? missing.error.message : '', `cannot read config file ${file}`, 'a missing file is a failed reload, not a crash');
});

t.test('--config-reload with another word is refused', async (t) => {
  const { liveConfig: guarded } = await t.mockImport<typeof import('../../src/cli/serve.js')>('../../src/cli/serve.js', {
    '../../src/cli/args.js': {
      ...(await import('../../src/cli/args.js')),
      fatal: (message: string) => {
        throw new Error(message);
      },
    },
  });
  t.throws(() => guarded({ config: '/etc/fsi/config.yaml', 'config-reload': 'sometimes' }), { message: '--config-reload sometimes: expected live or off' });
});
