// The recorder's queue and worker over an in-memory sink: what it writes, in which order, what it
// drops and counts. (The real API is proven by test/e2e/events.test.ts.)
import t from 'tap';
import { pino } from 'pino';
import { fail, ok, type Result } from '../../src/errors.js';
import { createEventRecorder, type EventResult } from '../../src/events/recorder.js';
import type { EventSink, SinkFailure } from '../../src/events/sink.js';
import { decisionFor, forbidding } from './decisions.js';

type Call = ['create', string, string] | ['patch', string, number];

function memorySink(answers: Array<Result<void, SinkFailure>> = []): { sink: EventSink; calls: Call[]; release: () => void; hold: () => void } {
  const calls: Call[] = [];
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => {};
  const answer = async (): Promise<Result<void, SinkFailure>> => {
    await gate;
    return answers.shift() ?? ok(undefined);
  };
  return {
    calls,
    hold: () => {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => open(),
    sink: {
      create(event, name) {
        calls.push(['create', event.reason, name.split('.')[0] ?? '']);
        return answer();
      },
      patchSeries(_ns, _name, count) {
        calls.push(['patch', 'series', count]);
        return answer();
      },
    },
  };
}

function recorderWith(sink: EventSink, queueSize = 10) {
  const results: EventResult[] = [];
  let clock = 1_000_000;
  const recorder = createEventRecorder({
    sink,
    logger: pino({ level: 'silent' }),
    recordEvent: (r) => results.push(r),
    queueSize,
    seriesWindowMs: 360_000,
    cacheSize: 100,
    now: () => (clock += 1000),
  });
  return { recorder, results };
}

const injected = decisionFor();
const denied = decisionFor({ config: forbidding });
const sts = 'pipeline-0199ef4a-5442-7430-a633-fe0702e3cf2c';

t.test('record() returns before anything is written; the worker writes in order and aggregates', async (t) => {
  const memory = memorySink();
  const { recorder, results } = recorderWith(memory.sink);
  recorder.record(injected.decision, injected.pod);
  recorder.record(denied.decision, denied.pod);
  recorder.record(denied.decision, denied.pod);
  t.strictSame(memory.calls, [], 'nothing written synchronously');
  await recorder.idle();
  t.strictSame(memory.calls, [
    ['create', 'SidecarsInjected', sts],
    ['create', 'SidecarInjectionDenied', sts],
    ['patch', 'series', 2],
  ]);
  t.strictSame(results, ['created', 'created', 'series_updated']);
});

t.test('a full queue drops the oldest and counts it', async (t) => {
  const memory = memorySink();
  memory.hold();
  const { recorder, results } = recorderWith(memory.sink, 2);
  recorder.record(injected.decision, injected.pod);
  await new Promise((resolve) => setImmediate(resolve)); // the worker takes the first and waits on the API
  for (let i = 0; i < 4; i += 1) recorder.record(denied.decision, denied.pod);
  t.strictSame(results, ['dropped', 'dropped'], 'two of four queued behind a slow API were dropped');
  memory.release();
  await recorder.idle();
  t.strictSame(memory.calls, [
    ['create', 'SidecarsInjected', sts],
    ['create', 'SidecarInjectionDenied', sts],
    ['patch', 'series', 2],
  ]);
});

t.test('failures are counted, never thrown; a vanished Event is created again', async (t) => {
  const memory = memorySink([fail({ status: 403, message: 'forbidden' }), ok(undefined), fail({ status: 404, message: 'gone' }), ok(undefined)]);
  const { recorder, results } = recorderWith(memory.sink);
  for (let i = 0; i < 3; i += 1) recorder.record(denied.decision, denied.pod);
  await recorder.idle();
  t.strictSame(memory.calls, [
    ['create', 'SidecarInjectionDenied', sts], // 403: forgotten
    ['create', 'SidecarInjectionDenied', sts], // a new series
    ['patch', 'series', 2], // 404: the Event expired
    ['create', 'SidecarInjectionDenied', sts],
  ]);
  t.strictSame(results, ['failed', 'created', 'created']);
});

t.test('a sink that throws does not stop the worker', async (t) => {
  let calls = 0;
  const { recorder, results } = recorderWith({
    create: () => {
      calls += 1;
      if (calls === 1) throw new Error('bug');
      return Promise.resolve(ok(undefined));
    },
    patchSeries: () => Promise.resolve(ok(undefined)),
  });
  recorder.record(denied.decision, denied.pod);
  recorder.record(injected.decision, injected.pod);
  await recorder.idle();
  t.strictSame(results, ['failed', 'created']);
});

t.test('decisions without an event write nothing; after close() nothing is taken', async (t) => {
  const memory = memorySink();
  const { recorder, results } = recorderWith(memory.sink);
  recorder.record(decisionFor({ request: (r) => (r.dryRun = true) }).decision, injected.pod);
  await recorder.idle();
  await recorder.close(100);
  recorder.record(injected.decision, injected.pod);
  await recorder.idle();
  t.strictSame(memory.calls, []);
  t.strictSame(results, []);
});
