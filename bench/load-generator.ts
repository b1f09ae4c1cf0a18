// Child process that drives autocannon. It runs apart from the server so that on a 2-core machine
// the load generator and the server each get their own event loop and core.
import autocannon from 'autocannon';
import type { LoadJob, LoadResult } from './load-protocol.js';

function run(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // autocannon's own latency histogram has 1 ms resolution; keep every sample at full precision.
    const latenciesMs: number[] = [];
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
        resolve({
          durationSeconds: result.duration,
          latenciesMs,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTime);
    });
  });
}

process.once('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.({ result }, () => process.disconnect()),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }, () => process.disconnect()),
  );
});
