// Load with wrk (C, from Debian's packages) when it is installed. Measured here against the bare
// server (a) on one core each: autocannon spends about as much CPU per request as the server it
// drives (~75 µs against ~80 µs), so against (a) and (b) it would be the limit before the server;
// wrk spends ~45 µs. Its Lua done() hook prints the full latency histogram (1 µs resolution), the
// error counts and its own CPU time (/proc/self/stat), so slices still merge exactly.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adopt } from '../run-cleanup.js';
import { processCpuSeconds } from '../process-cpu.js';
import type { Launcher } from './load-client.js';
import type { LoadJob, LoadResult } from './load-protocol.js';

const SCRIPT = `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH-SUMMARY %d %d %d %d %d %d %d\\n", summary.duration, summary.requests, e.connect, e.read, e.write, e.status, e.timeout))
  for i = 1, #latency do
    local value, count = latency(i)
    io.write("BENCH-LAT ", value, " ", count, "\\n")
  end
  local stat = assert(io.open("/proc/self/stat", "r"))
  io.write("BENCH-STAT ", stat:read("*l"), "\\n")
  stat:close()
end
`;

export function wrkAvailable(): boolean {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && /wrk/.test(`${probe.stdout}${probe.stderr}`);
}

/** Writes the Lua script and the body once; returns what runWrk needs. */
export function prepareWrk(dir: string, body: string): { script: string; bodyFile: string } {
  const script = join(dir, 'wrk-post.lua');
  const bodyFile = join(dir, 'wrk-body.json');
  writeFileSync(script, SCRIPT);
  writeFileSync(bodyFile, body);
  return { script, bodyFile };
}

export function runWrk(launcher: Launcher, job: Omit<LoadJob, 'kind' | 'body'>, files: { script: string; bodyFile: string }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const args = ['-t1', `-c${job.connections}`, `-d${job.durationSeconds}s`, '--timeout', '10s', '-s', files.script, job.url];
    const [command, ...prefix] = [...launcher, 'wrk', ...args];
    const serverCpuBefore = processCpuSeconds(job.serverPid);
    const child = adopt(spawn(command as string, prefix, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BENCH_BODY_FILE: files.bodyFile } }));
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), (job.durationSeconds + 30) * 1000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const serverCpuSeconds = processCpuSeconds(job.serverPid) - serverCpuBefore;
      const summary = /^BENCH-SUMMARY (.+)$/m.exec(out)?.[1]?.split(' ').map(Number);
      const stat = /^BENCH-STAT (.+)$/m.exec(out)?.[1];
      if (code !== 0 || summary === undefined || stat === undefined) {
        reject(new Error(`wrk failed (exit ${code}): ${(err || out).trim().slice(0, 400)}`));
        return;
      }
      const [durationUs = 0, , connect = 0, read = 0, write = 0, status = 0, timeout = 0] = summary;
      const latencyUs: Array<[number, number]> = [];
      for (const match of out.matchAll(/^BENCH-LAT (\d+) (\d+)$/gm)) latencyUs.push([Number(match[1]), Number(match[2])]);
      // Fields after the command name: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const generatorCpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
      // wrk's histogram has every answer, failed ones too: with failures the req/s is slightly high
      // (the report prints failures beside it, and the target for them is 0).
      resolve({
        durationSeconds: durationUs / 1e6,
        latencyUs,
        errors: connect + read + write,
        timeouts: timeout,
        non2xx: status,
        generatorCpuSeconds,
        serverCpuSeconds,
      });
    });
  });
}
