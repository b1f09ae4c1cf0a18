// Child process that drives autocannon (or sends one probe request). It runs apart from the
// server, pinned to the other core, so on a 2-core machine the load generator and the server each
// get their own event loop and core. It may run inside another network namespace (agnhost's).
import { request } from 'node:https';
import autocannon from 'autocannon';
import { processCpuSeconds } from '../process-cpu.js';
import type { GeneratorJob, LoadJob, LoadResult, ProbeJob, ProbeResult } from './load-protocol.js';

function cpuSecondsOfSelf(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function load(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // autocannon's own latency histogram has 1 ms resolution; keep every sample, to the µs.
    const latencies = new Map<number, number>();
    let started: { self: number; server: number } | null = null;
    const instance = autocannon(
      {
        url: job.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: job.body,
        connections: job.connections,
        pipelining: 1,
        duration: job.durationSeconds,
        // The dev certificate has a localhost SAN; an IP as SNI name is a deprecated TLS use.
        servername: 'localhost',
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const from = started ?? { self: 0, server: Number.NaN };
        resolve({
          durationSeconds: result.duration,
          latencyUs: [...latencies.entries()],
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          generatorCpuSeconds: cpuSecondsOfSelf() - from.self,
          serverCpuSeconds: processCpuSeconds(job.serverPid) - from.server,
        });
      },
    );
    // autocannon starts its clock when it starts connecting: sample CPU from the same moment.
    instance.once('start', () => {
      started = { self: cpuSecondsOfSelf(), server: processCpuSeconds(job.serverPid) };
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode >= 300) return;
      const us = Math.round(responseTime * 1000);
      latencies.set(us, (latencies.get(us) ?? 0) + 1);
    });
  });
}

function once(job: ProbeJob): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      job.url,
      {
        method: job.method,
        // Loopback, a throw-away certificate: the probe checks answers, not identities.
        rejectUnauthorized: false,
        servername: 'localhost',
        agent: false,
        timeout: 2000,
        headers: job.body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
    req.end(job.body);
  });
}

async function probe(job: ProbeJob): Promise<ProbeResult> {
  const deadline = Date.now() + job.timeoutMs;
  for (;;) {
    try {
      return await once(job);
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

process.once('message', (job: GeneratorJob) => {
  const work: Promise<LoadResult | ProbeResult> = job.kind === 'load' ? load(job) : probe(job);
  work.then(
    (result) => process.send?.({ result }, () => process.disconnect()),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }, () => process.disconnect()),
  );
});
