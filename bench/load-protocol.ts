// What the benchmark process and its load-generator child say to each other over IPC.

export interface LoadJob {
  url: string;
  body: string;
  connections: number;
  durationSeconds: number;
}

/** One slice of load. Raw latencies, so slices can be merged before taking percentiles. */
export interface LoadResult {
  durationSeconds: number;
  /** Latency of every 2xx response, in ms at full precision. */
  latenciesMs: number[];
  errors: number;
  timeouts: number;
  non2xx: number;
}
