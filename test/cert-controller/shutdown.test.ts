import t from 'tap';
import { alsoStopping } from '../../src/cert-controller/shutdown.js';
import type { CertificateController } from '../../src/cert-controller/controller.js';

function fakes() {
  const calls: string[] = [];
  const handle = {
    drain: async () => void calls.push('drain'),
    close: async () => void calls.push('close'),
    reloadTls: async () => (calls.push('reloadTls'), 'unchanged' as const),
    reloadConfig: async () => (calls.push('reloadConfig'), 'reloaded' as const),
  };
  const controller = {
    status: () => {
      throw new Error('unused');
    },
    check: async () => undefined,
    // Never resolves: a check stuck on a hung API server.
    stop: () => (calls.push('stop'), new Promise<void>(() => undefined)),
  } as CertificateController;
  return { calls, handle, controller };
}

t.test('no controller (files mode): the handle itself', async (t) => {
  const { handle } = fakes();
  t.equal(alsoStopping(handle, null), handle);
});

t.test('drain and close stop the controller first, without waiting for a check in flight', async (t) => {
  const { calls, handle, controller } = fakes();
  const wrapped = alsoStopping(handle, controller);
  await wrapped.drain();
  await wrapped.close();
  t.equal(await wrapped.reloadTls(), 'unchanged');
  t.equal(await wrapped.reloadConfig(), 'reloaded');
  t.strictSame(calls, ['stop', 'drain', 'stop', 'close', 'reloadTls', 'reloadConfig']);
});
