import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** Percentiles of the response time in ms, from every response's exact time. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Either a duration or a fixed number of requests. */
  durationSeconds?: number;
  amount?: number;
  /** Requests per second across all connections (open pace); unset = as fast as the server answers. */
  overallRate?: number;
}

/**
 * One autocannon run. Latencies are taken from every response (autocannon's own histogram
 * rounds to whole milliseconds, too coarse for p99 ratios around 1–3 ms).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  // Without a callback autocannon returns its tracker (an EventEmitter) made thenable.
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, _statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const started = performance.now();
  const result = await instance;
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number): number =>
    latencies.length === 0 ? Number.NaN : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  const durationSeconds = options.amount !== undefined ? elapsedSeconds : result.duration;
  return {
    requests: result.requests.total,
    durationSeconds,
    requestsPerSecond: result.requests.total / durationSeconds,
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
