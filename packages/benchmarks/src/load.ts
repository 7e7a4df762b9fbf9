import { Agent, get } from 'node:http';
import { percentile, releaseAtRate } from '@kira/test-utils';
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** Percentiles of the response time in ms, from every response's exact time. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** What the errors were, by Node's error code (`ECONNRESET`) or message, so a refusal can say. */
  errorKinds: Record<string, number>;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Either a duration or a fixed number of requests. */
  durationSeconds?: number;
  amount?: number;
  /** Seconds before autocannon gives a request up as an error (its default: 10). */
  timeoutSeconds?: number;
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
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
    ...(options.timeoutSeconds !== undefined ? { timeout: options.timeoutSeconds } : {}),
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, _statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const errorKinds: Record<string, number> = {};
  // autocannon emits each error (a timeout is its own "request timed out") before counting it.
  instance.on('reqError', (error: unknown) => countErrorKind(errorKinds, error));
  const started = performance.now();
  const result = await instance;
  const elapsedSeconds = (performance.now() - started) / 1000;
  const durationSeconds = options.amount !== undefined ? elapsedSeconds : result.duration;
  return {
    requests: result.requests.total,
    durationSeconds,
    requestsPerSecond: result.requests.total / durationSeconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    // autocannon counts its timeouts among its errors too (`timeouts` is a part, not more).
    errors: result.errors,
    errorKinds,
    non2xx: result.non2xx,
  };
}

function countErrorKind(kinds: Record<string, number>, error: unknown): void {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const kind = typeof code === 'string' ? code : typeof message === 'string' ? message : String(error);
  kinds[kind] = (kinds[kind] ?? 0) + 1;
}

export interface PacedLoadOptions {
  url: string;
  /** Keep-alive connections the requests share (a request waits for a free one). */
  connections: number;
  /** Requests per second, spread evenly: a few every millisecond, never a per-second burst. */
  rate: number;
  durationSeconds: number;
}

/**
 * An open-loop load at a steady pace, for latency without saturation. autocannon's `overallRate`
 * sends each second's budget as fast as it can and then waits, so its p99 is the latency of a
 * burst against a saturated server. Here `releaseAtRate` (@kira/test-utils) releases requests as
 * they fall due, and each latency runs from its release (a request waiting for a connection counts).
 */
export async function runPacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  let non2xx = 0;
  const started = performance.now();
  const answered: Promise<void>[] = [];
  await releaseAtRate({ ratePerSecond: options.rate, durationMs: options.durationSeconds * 1000 }, () => {
    const sentAt = performance.now();
    answered.push(
      new Promise<void>((resolve) => {
        const request = get(options.url, { agent }, (response) => {
          if (response.statusCode === undefined || response.statusCode < 200 || response.statusCode > 299) non2xx++;
          response.resume();
          response.on('end', () => {
            latencies.push(performance.now() - sentAt);
            resolve();
          });
        });
        request.on('error', (error) => {
          errors++;
          countErrorKind(errorKinds, error);
          resolve();
        });
      }),
    );
  });
  await Promise.all(answered);
  agent.destroy();
  const elapsedSeconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    durationSeconds: elapsedSeconds,
    requestsPerSecond: latencies.length / elapsedSeconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
    errorKinds,
    non2xx,
  };
}
