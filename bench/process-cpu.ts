// CPU time of another process (all its threads), from /proc/<pid>/stat: how much of its core a
// server really got, whatever else the machine was doing.
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc; 100 on every Linux the kernel ABI promises. */
const TICKS_PER_SECOND = 100;

/** user + system CPU seconds of `pid` so far, or NaN when it cannot be read (not Linux, gone). */
export function processCpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return Number.NaN;
  }
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** Resident set size of `pid` in bytes (VmRSS), or NaN. */
export function processRssBytes(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return Number.NaN;
  }
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match === null ? Number.NaN : Number(match[1]) * 1024;
}
