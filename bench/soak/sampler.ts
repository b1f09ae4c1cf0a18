// Samples the server while the soak runs: RSS and CPU from /proc, event-loop delay and heap from
// its own /metrics (prom-client's event-loop histogram is reset at every scrape, so each sample
// covers the interval since the previous one).
import { get } from 'node:http';
import { processCpuSeconds, processRssBytes } from '../process-cpu.js';

export interface Sample {
  /** Seconds since the soak started. */
  at: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Share of one core since the previous sample. */
  cpu: number;
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  loadAverage1: number;
}

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/metrics', timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('metrics scrape timed out')));
    req.on('error', reject);
  });
}

function gauge(text: string, name: string): number {
  const match = new RegExp(`^\\w*${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match === null ? Number.NaN : Number(match[1]);
}

export function startSampler(pid: number, metricsPort: number, intervalMs: number, loadAverage: () => number): { samples: Sample[]; stop: () => void } {
  const samples: Sample[] = [];
  const started = performance.now();
  let lastCpu = processCpuSeconds(pid);
  let lastAt = started;
  let stopped = false;
  // Throw away the event-loop figures of the start-up.
  void scrape(metricsPort).catch(() => '');
  const timer = setInterval(() => {
    void (async () => {
      const text = await scrape(metricsPort).catch(() => '');
      if (stopped) return;
      const now = performance.now();
      const cpu = processCpuSeconds(pid);
      samples.push({
        at: (now - started) / 1000,
        rssBytes: processRssBytes(pid),
        heapUsedBytes: gauge(text, 'nodejs_heap_size_used_bytes'),
        cpu: (cpu - lastCpu) / ((now - lastAt) / 1000),
        eventLoopP99Ms: gauge(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
        eventLoopMaxMs: gauge(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
        loadAverage1: loadAverage(),
      });
      lastCpu = cpu;
      lastAt = now;
    })();
  }, intervalMs);
  return {
    samples,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
