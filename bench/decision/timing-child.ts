// Child process: builds one named input and times decisions on it (timing.ts), telling the parent
// how far it got, so that a decision that never ends or a crash is seen as such by the parent.
import { configOf, inputNamed } from './inputs.js';
import { timeDecisions } from './timing.js';
import type { TimingJob, TimingMessage } from './timing-protocol.js';

function send(message: TimingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, () => resolve());
  });
}

process.once('message', (job: TimingJob) => {
  void (async () => {
    try {
      const input = inputNamed(job.input);
      const body = input.review();
      await send({ kind: 'built', bytes: Buffer.byteLength(body) });
      const timing = await timeDecisions(body, configOf(input), job.budget, (us) => send({ kind: 'first', us }));
      await send({ kind: 'result', timing });
    } catch (error) {
      const where = error instanceof Error ? (error.stack?.split('\n').find((line) => line.includes('/src/'))?.trim() ?? '') : '';
      const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await send({ kind: 'threw', error: where === '' ? what : `${what} (${where.replace(/^at /, 'at ').replace(/file:\/\/\S*\/dist\//, '')})` });
    }
    process.disconnect();
  })();
});
