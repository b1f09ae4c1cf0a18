// What the benchmark and a decision-timing child say to each other over IPC.
import type { DecisionTiming, TimingBudget } from './timing.js';

export interface TimingJob {
  input: string;
  budget: TimingBudget;
}

export type TimingMessage =
  | { kind: 'built'; bytes: number }
  | { kind: 'first'; us: number }
  | { kind: 'result'; timing: DecisionTiming }
  | { kind: 'threw'; error: string };
