// Core pinning with taskset: every server on SERVER_CORE, the load generator and this process on
// LOAD_CORE, so on a 2-core machine a server never shares a core with the client measuring it
// (other users of the machine still can: the load average is printed beside every figure).
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Launcher } from './load/load-client.js';

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

export interface Pinning {
  enabled: boolean;
  /** What the report says about it. */
  description: string;
}

/** Pins this process to LOAD_CORE when taskset works; otherwise says why nothing is pinned. */
export function setUpPinning(): Pinning {
  if (availableParallelism() < 2) return { enabled: false, description: `not pinned: ${availableParallelism()} CPU available, 2 needed` };
  const self = spawnSync('taskset', ['-cp', String(LOAD_CORE), String(process.pid)], { encoding: 'utf8' });
  if (self.error !== undefined || self.status !== 0) {
    return { enabled: false, description: `not pinned: taskset failed (${self.error?.message ?? self.stderr.trim()})` };
  }
  return { enabled: true, description: `servers pinned to CPU ${SERVER_CORE}, load generator to CPU ${LOAD_CORE} (taskset)` };
}

/** The command prefix that runs something on `core` (empty when pinning is off). */
export function onCore(pinning: Pinning, core: number): Launcher {
  return pinning.enabled ? ['taskset', '-c', String(core)] : [];
}
