// What the soak and its fixed-rate load generator say to each other over IPC.
import type { Kind } from './traffic.js';

export interface SoakJob {
  url: string;
  /** Requests per second, open loop: sent on schedule whether or not earlier ones were answered. */
  rate: number;
  seconds: number;
  /** Keep-alive connections the requests share. */
  connections: number;
  windowSeconds: number;
}

/** One window (a minute) of requests, by when they were scheduled. */
export interface SoakWindow {
  index: number;
  /** Latency from the scheduled send time (so a server that falls behind shows it), in ms. */
  latenciesMs: number[];
  sent: Record<Kind, number>;
  failed: Record<Kind, number>;
  /** The first wrong answer of the window, if any. */
  firstFailure: string | null;
  /** Requests sent more than 10 ms after their scheduled time (the generator fell behind). */
  late: number;
}

export type SoakMessage = { kind: 'window'; window: SoakWindow } | { kind: 'done'; generatorCpuSeconds: number } | { kind: 'error'; error: string };
