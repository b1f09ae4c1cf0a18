import t from 'tap';
import { installSignalHandlers } from '../../src/server/index.js';
import type { ReloadResult } from '../../src/server/index.js';
import { captureLogger, eventually } from './harness.js';

function fakeHandle() {
  const calls: string[] = [];
  let finishDrain: () => void = () => {};
  return {
    calls,
    finishDrain: () => finishDrain(),
    handle: {
      drain: () => {
        calls.push('drain');
        return new Promise<void>((resolve) => (finishDrain = resolve));
      },
      close: () => {
        calls.push('close');
        return Promise.resolve();
      },
      reloadTls: (): Promise<ReloadResult> => {
        calls.push('reloadTls');
        return Promise.resolve('unchanged');
      },
      reloadConfig: (): Promise<ReloadResult> => {
        calls.push('reloadConfig');
        return Promise.resolve('reloaded');
      },
    },
  };
}

t.test('SIGTERM drains then exits 0; a second signal closes at once; SIGHUP reloads TLS and the config', async (t) => {
  const fake = fakeHandle();
  const exits: number[] = [];
  const logs = captureLogger();
  const uninstall = installSignalHandlers(fake.handle, logs.logger, { exit: (code) => exits.push(code) });
  t.teardown(uninstall);

  process.emit('SIGHUP', 'SIGHUP');
  await eventually(() => logs.lines.some((line) => line.msg === 'TLS reload on SIGHUP') && logs.lines.some((line) => line.msg === 'config reload on SIGHUP'));
  t.strictSame(fake.calls, ['reloadTls', 'reloadConfig']);
  t.strictSame(logs.lines.find((line) => line.msg === 'config reload on SIGHUP')?.result, 'reloaded', 'the result is logged');

  process.emit('SIGTERM', 'SIGTERM');
  t.strictSame(fake.calls, ['reloadTls', 'reloadConfig', 'drain']);
  t.strictSame(exits, [], 'no exit before the drain ends');

  process.emit('SIGINT', 'SIGINT');
  await eventually(() => exits.length > 0);
  t.strictSame(fake.calls, ['reloadTls', 'reloadConfig', 'drain', 'close'], 'second signal closes without waiting');
  t.strictSame(exits, [0]);

  fake.finishDrain();
  await eventually(() => exits.length > 1);
  t.strictSame(exits, [0, 0]);
});

t.test('the returned function removes the handlers', async (t) => {
  const before = process.listenerCount('SIGTERM');
  const beforeHup = process.listenerCount('SIGHUP');
  const uninstall = installSignalHandlers(fakeHandle().handle, captureLogger().logger, { exit: () => {} });
  t.strictSame(process.listenerCount('SIGTERM'), before + 1);
  uninstall();
  t.strictSame(process.listenerCount('SIGTERM'), before);
  t.strictSame(process.listenerCount('SIGHUP'), beforeHup);
});
