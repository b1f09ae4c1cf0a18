// The HTTPS comparison: every server gets the same body from a fresh load generator on the load
// core, in alternating rounds (the order rotates each round), so background load that comes and
// goes hits every server alike.
import { loadavg } from 'node:os';
import { runLoad } from './load/load-client.js';
import { runWrk } from './load/wrk-load.js';
import type { LoadResult } from './load/load-protocol.js';
import { summarise, type LoadSummary } from './load/load-summary.js';
import type { BenchServer, ServerId } from './servers/servers.js';

export type Generator = { name: 'wrk'; files: { script: string; bodyFile: string } } | { name: 'autocannon' };

export interface HttpPlan {
  generator: Generator;
  body: string;
  connections: number;
  warmupSeconds: number;
  secondsPerServer: number;
  rounds: number;
}

export interface ServerFigures {
  id: ServerId;
  label: string;
  url: string;
  summary: LoadSummary;
  /** Load averages (1, 5, 15 min) after each of its slices. */
  loadAverages: number[][];
}

export async function compareServers(servers: readonly BenchServer[], plan: HttpPlan): Promise<ServerFigures[]> {
  const slice = (server: BenchServer, durationSeconds: number): Promise<LoadResult> => {
    const job = { url: server.url, connections: plan.connections, durationSeconds, serverPid: server.pid };
    return plan.generator.name === 'wrk' ? runWrk(server.launcher, job, plan.generator.files) : runLoad(server.launcher, { ...job, body: plan.body });
  };
  process.stderr.write(
    `  https: warming up ${plan.warmupSeconds} s per server, then ${plan.secondsPerServer} s per server in ${plan.rounds} alternating rounds...\n`,
  );
  for (const server of servers) await slice(server, plan.warmupSeconds);
  const slices = new Map<ServerId, LoadResult[]>(servers.map((server) => [server.id, []]));
  const loads = new Map<ServerId, number[][]>(servers.map((server) => [server.id, []]));
  const seconds = plan.secondsPerServer / plan.rounds;
  for (let round = 0; round < plan.rounds; round += 1) {
    const order = servers.map((_, i) => servers[(i + round) % servers.length] as BenchServer);
    for (const server of order) {
      slices.get(server.id)?.push(await slice(server, seconds));
      loads.get(server.id)?.push(loadavg());
    }
    process.stderr.write(`  https: round ${round + 1}/${plan.rounds} done (load average ${loadavg().map((l) => l.toFixed(2)).join(', ')})\n`);
  }
  return servers.map((server) => ({
    id: server.id,
    label: server.label,
    url: server.url,
    summary: summarise(slices.get(server.id) ?? []),
    loadAverages: loads.get(server.id) ?? [],
  }));
}
