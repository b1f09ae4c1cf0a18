// What the benchmark process and its load-generator child say to each other over IPC.

/** Sustained load on one route for a fixed time. */
export interface LoadJob {
  kind: 'load';
  url: string;
  body: string;
  connections: number;
  durationSeconds: number;
  /** The server's pid: the child samples its CPU time over exactly the measured window. */
  serverPid: number;
}

/** One request, retried until the server answers or timeoutMs passes (readiness and preflight). */
export interface ProbeJob {
  kind: 'probe';
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  timeoutMs: number;
}

export type GeneratorJob = LoadJob | ProbeJob;

/** One slice of load. Raw latencies, so slices can be merged before taking percentiles. */
export interface LoadResult {
  durationSeconds: number;
  /** Latencies of the 2xx responses as a histogram: [µs, count] pairs (1 µs resolution). */
  latencyUs: Array<[number, number]>;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** CPU seconds (user + system) the generator itself used during the run. */
  generatorCpuSeconds: number;
  /** CPU seconds the server used during the run (all its threads), from /proc. */
  serverCpuSeconds: number;
}

export interface ProbeResult {
  status: number;
  contentType: string;
  body: string;
}
