// Child process: POSTs the soak's request mix at a fixed rate (open loop) and reports each window
// of requests once all of them are answered or timed out.
import { Agent, request } from 'node:https';
import { createTraffic, MIX, type Kind } from './traffic.js';
import type { SoakJob, SoakMessage, SoakWindow } from './soak-protocol.js';

const REQUEST_TIMEOUT_MS = 10_000;
const TICK_MS = 2;

function send(message: SoakMessage): void {
  process.send?.(message);
}

function emptyCounts(): Record<Kind, number> {
  return Object.fromEntries(MIX.map(([kind]) => [kind, 0])) as Record<Kind, number>;
}

function run(job: SoakJob): Promise<void> {
  const traffic = createTraffic();
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections, rejectUnauthorized: false, servername: 'localhost' });
  const total = Math.floor(job.rate * job.seconds);
  const perWindow = job.rate * job.windowSeconds;
  const windows = new Map<number, SoakWindow & { done: number; size: number }>();
  const start = performance.now();
  let next = 0;

  const windowOf = (i: number): SoakWindow & { done: number; size: number } => {
    const index = Math.floor(i / perWindow);
    let window = windows.get(index);
    if (window === undefined) {
      const size = Math.min(perWindow, total - index * perWindow);
      window = { index, latenciesMs: [], sent: emptyCounts(), failed: emptyCounts(), firstFailure: null, late: 0, done: 0, size };
      windows.set(index, window);
    }
    return window;
  };

  return new Promise((resolve) => {
    const finished = (window: SoakWindow & { done: number; size: number }): void => {
      window.done += 1;
      if (window.done < window.size) return;
      windows.delete(window.index);
      const { done: _done, size: _size, ...report } = window;
      send({ kind: 'window', window: report });
      if (windows.size === 0 && next >= total) {
        agent.destroy();
        resolve();
      }
    };
    const fire = (i: number, scheduled: number): void => {
      const kind = traffic.kindOf(i);
      const window = windowOf(i);
      window.sent[kind] += 1;
      if (performance.now() - scheduled > 10) window.late += 1;
      const body = traffic.body(kind);
      let settled = false;
      const settle = (failure: string | null): void => {
        if (settled) return;
        settled = true;
        window.latenciesMs.push(performance.now() - scheduled);
        if (failure !== null) {
          window.failed[kind] += 1;
          window.firstFailure ??= `${kind}: ${failure}`;
        }
        finished(window);
      };
      const req = request(job.url, { method: 'POST', agent, headers: { 'content-type': 'application/json' }, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => settle(traffic.check(kind, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', (error) => settle(error.message));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (error) => settle(error.message));
      req.end(body);
    };
    const timer = setInterval(() => {
      const now = performance.now();
      while (next < total) {
        const scheduled = start + (next * 1000) / job.rate;
        if (scheduled > now) break;
        fire(next, scheduled);
        next += 1;
      }
      if (next >= total) clearInterval(timer);
    }, TICK_MS);
  });
}

process.once('message', (job: SoakJob) => {
  run(job).then(
    () => {
      const usage = process.cpuUsage();
      process.send?.({ kind: 'done', generatorCpuSeconds: (usage.user + usage.system) / 1e6 } satisfies SoakMessage, () => process.disconnect());
    },
    (error: unknown) => process.send?.({ kind: 'error', error: String(error) } satisfies SoakMessage, () => process.disconnect()),
  );
});
