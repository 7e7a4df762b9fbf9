import { diag } from '@opentelemetry/api';
import { asError } from './as-error';
import type { DroppedExports } from './dropped-exports';
import { reportExportError } from './report-export-error';
import type { SpoolDirectory, SpoolEncoding, SpoolSignal, SpooledBody } from './spool-directory';
import { MESSAGE_PREFIX } from './message-prefix';

/** The OTLP exporters' transport contract (`IExporterTransport` of `@opentelemetry/otlp-exporter-base`). */
export type ExportResponse =
  | { status: 'success'; data?: Uint8Array }
  | { status: 'failure'; error: Error }
  | { status: 'retryable'; retryInMillis?: number; error?: Error };

export interface ExportTransport {
  send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse>;
  shutdown(): void;
}

/** The error codes of a write or read on a connection the other end has closed. */
const CLOSED_CONNECTION_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

function isClosedConnection(response: ExportResponse): response is Extract<ExportResponse, { status: 'retryable' }> {
  if (response.status !== 'retryable' || response.error === undefined) return false;
  const { code } = response.error as { code?: unknown };
  return typeof code === 'string' && CLOSED_CONNECTION_CODES.has(code);
}

/** Where bodies wait while the backend is unreachable. */
export interface Backlog {
  /** Survives the process (the spool): no need to empty it at flush or shutdown. */
  readonly persistent: boolean;
  add(body: Uint8Array): Promise<void>;
  /** The oldest body, left in place until `remove()`d; undefined when empty. */
  take(): Promise<SpooledBody | undefined>;
  /** Called at shutdown; returns what is lost with the process. */
  close(): { bodies: number; bytes: number };
}

export const DEFAULT_QUEUE_SIZE_LIMIT_BYTES = 8 * 1024 * 1024;
export const DEFAULT_REPLAY_BODIES_PER_SECOND = 20;
const INITIAL_BACKOFF_MILLIS = 1_000;
const MAX_BACKOFF_MILLIS = 5_000;
const MAX_RETRY_AFTER_MILLIS = 60_000;
const DEFAULT_TIMEOUT_MILLIS = 10_000;

/** Bodies in memory, oldest dropped (and counted) past `limitBytes`. */
export class MemoryBacklog implements Backlog {
  readonly persistent = false;
  private readonly bodies: Uint8Array[] = [];
  private bytes = 0;

  constructor(
    private readonly limitBytes: number,
    private readonly dropped: DroppedExports,
  ) {}

  get size(): { bodies: number; bytes: number } {
    return { bodies: this.bodies.length, bytes: this.bytes };
  }

  // Promise-returning to match the spool it stands in for; the memory queue itself never waits.
  add(body: Uint8Array): Promise<void> {
    this.bodies.push(body);
    this.bytes += body.byteLength;
    while (this.bytes > this.limitBytes && this.bodies.length > 0) {
      const oldest = this.bodies.shift() as Uint8Array;
      this.bytes -= oldest.byteLength;
      this.dropped.record(1, oldest.byteLength, 'queue');
    }
    return Promise.resolve();
  }

  take(): Promise<SpooledBody | undefined> {
    const body = this.bodies[0];
    if (body === undefined) return Promise.resolve(undefined);
    return Promise.resolve({
      body,
      remove: () => {
        // It may have been dropped past the cap while it was being sent.
        const index = this.bodies.indexOf(body);
        if (index !== -1) {
          this.bodies.splice(index, 1);
          this.bytes -= body.byteLength;
        }
        return Promise.resolve();
      },
      release: async () => {},
    });
  }

  close(): { bodies: number; bytes: number } {
    const lost = this.size;
    this.bodies.length = 0;
    this.bytes = 0;
    return lost;
  }
}

/** Bodies on disk in a {@link SpoolDirectory}; nothing is lost at shutdown. */
export class SpoolBacklog implements Backlog {
  readonly persistent = true;

  constructor(
    private readonly spool: SpoolDirectory,
    private readonly signal: SpoolSignal,
    private readonly encoding: SpoolEncoding,
  ) {}

  add(body: Uint8Array): Promise<void> {
    return this.spool.write(this.signal, this.encoding, body);
  }

  take(): Promise<SpooledBody | undefined> {
    return this.spool.claimOldest(this.signal, this.encoding);
  }

  close(): { bodies: number; bytes: number } {
    return { bodies: 0, bytes: 0 };
  }
}

export interface QueueingTransportOptions {
  backlog: Backlog;
  dropped: DroppedExports;
  /** Upper bound of the replay rate once the backend answers again. */
  replayBodiesPerSecond?: number;
  /** Start draining at once (a spool left by an earlier process). */
  drainOnStart?: boolean;
  /**
   * Each attempt's timeout until the exporter's first `send` passes its own: the exporter's
   * configured one (`OTEL_EXPORTER_OTLP_[<SIGNAL>_]TIMEOUT`), so a spool replayed at start-up
   * waits no longer on a hung backend than the process's own exports do. Default 10 s (the SDK's).
   */
  timeoutMillis?: number;
  /**
   * Given the backend's answer to each replayed body it took (the exporter reads the answers to
   * its own sends; a replay is the queue's), to report a partial rejection. Must not throw.
   */
  onReplayAnswer?: (data: Uint8Array) => void;
}

/**
 * Wraps the OTLP exporter's HTTP transport. A body that fails for a retryable reason
 * (connection refused/reset, timeout, 429, 502, 503, 504) goes to the backlog instead of being
 * dropped, and the export reports success: the body is now the backlog's to deliver. While the
 * backend is unreachable new bodies go straight to the backlog, so the SDK's batch processors are
 * never held up by retries. One background loop probes with backoff (honouring Retry-After),
 * and once the backend answers replays the backlog oldest first at a bounded rate, while new
 * bodies are sent directly again. Non-retryable answers (400, 401, …) are returned unchanged.
 * A body that meets a reset on a kept-alive connection is first sent once more, straight away
 * (see `attempt`).
 */
export class QueueingTransport implements ExportTransport {
  private reachable = true;
  /** From the first retryable failure to the next body the backend takes. */
  private outage = false;
  private timeoutMillis = DEFAULT_TIMEOUT_MILLIS;
  private nextBackoffMillis = INITIAL_BACKOFF_MILLIS;
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  private closed = false;
  private readonly replayIntervalMillis: number;
  private readonly backlog: Backlog;
  private readonly dropped: DroppedExports;
  private readonly onReplayAnswer: ((data: Uint8Array) => void) | undefined;

  constructor(
    private readonly inner: ExportTransport,
    options: QueueingTransportOptions,
  ) {
    this.backlog = options.backlog;
    this.dropped = options.dropped;
    this.onReplayAnswer = options.onReplayAnswer;
    this.replayIntervalMillis = 1000 / (options.replayBodiesPerSecond ?? DEFAULT_REPLAY_BODIES_PER_SECOND);
    if (options.timeoutMillis !== undefined && options.timeoutMillis > 0) this.timeoutMillis = options.timeoutMillis;
    if (options.drainOnStart) this.schedule(0);
  }

  /** Whether the last attempt reached the backend. */
  get backendReachable(): boolean {
    return this.reachable;
  }

  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    this.timeoutMillis = timeoutMillis;
    if (!this.reachable && !this.closed) return this.enqueue(data);
    const response = await this.attempt(data, timeoutMillis);
    if (response.status === 'success') this.delivered();
    if (response.status !== 'retryable' || this.closed) return response;
    this.markUnreachable(response);
    return this.enqueue(data);
  }

  shutdown(): void {
    // The exporter calls this after its own flush; the backlog is closed by `close()`, once the
    // final drain (if the backend is up) has had its chance.
  }

  /**
   * Delivers an in-memory backlog now if the backend is reachable (no rate limit: the process
   * is stopping), then stops the loop. A spool is left as it is, for the next process. Returns
   * what could not be kept.
   */
  async close(): Promise<{ bodies: number; bytes: number }> {
    if (this.closed) return { bodies: 0, bytes: 0 };
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    this.closed = true;
    clearTimeout(this.timer);
    return this.backlog.close();
  }

  /** Sends an in-memory backlog now (forceFlush), if the backend is reachable. */
  async flush(): Promise<void> {
    if (this.backlog.persistent) return;
    while (this.reachable && !this.closed && !this.draining) {
      if (!(await this.drainOne())) break;
    }
  }

  private async enqueue(data: Uint8Array): Promise<ExportResponse> {
    try {
      await this.backlog.add(data);
      return { status: 'success' };
    } catch (error) {
      // The spool could not be written (disk full, permissions): this batch fails like an
      // ordinary export, and the SDK's error handler says why once.
      return { status: 'failure', error: asError(error) };
    }
  }

  /**
   * One send, and a second at once when the first met a closed kept-alive connection. The SDK's
   * agent keeps connections alive, and a server closes an idle one whenever it likes: a body
   * written just as it does fails with ECONNRESET or EPIPE, usually before the backend read it. That
   * says nothing about the backend, so it is not an outage (no warning, no queue): Node's own
   * advice for a reset on a reused socket is to send again (`request.reusedSocket`). Only while the
   * last attempt reached the backend: otherwise the agent has no kept-alive connection to reuse,
   * and a reset is the backend's answer.
   */
  private async attempt(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    const response = await this.attemptOnce(data, timeoutMillis);
    if (!this.reachable || !isClosedConnection(response)) return response;
    diag.debug(`${MESSAGE_PREFIX} an export met a closed kept-alive connection; sending it again`, response.error);
    return this.attemptOnce(data, timeoutMillis);
  }

  private async attemptOnce(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    try {
      return await this.inner.send(data, timeoutMillis);
    } catch (error) {
      return { status: 'retryable', error: asError(error) };
    }
  }

  private markUnreachable(response: Extract<ExportResponse, { status: 'retryable' }>): void {
    if (this.reachable) {
      this.reachable = false;
      reportExportError(response.error ?? new Error('the backend answered a retryable status (429, 502, 503 or 504)'));
    }
    if (!this.outage) {
      this.outage = true;
      this.nextBackoffMillis = INITIAL_BACKOFF_MILLIS;
    }
    this.schedule(this.backoff(response.retryInMillis));
  }

  private backoff(retryInMillis: number | undefined): number {
    if (retryInMillis !== undefined && retryInMillis >= 0) return Math.min(retryInMillis, MAX_RETRY_AFTER_MILLIS);
    const jittered = this.nextBackoffMillis * (0.8 + Math.random() * 0.4);
    this.nextBackoffMillis = Math.min(this.nextBackoffMillis * 1.5, MAX_BACKOFF_MILLIS);
    return Math.min(jittered, MAX_BACKOFF_MILLIS);
  }

  private schedule(delayMillis: number): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.draining) {
        // A flush is sending right now; look again after it.
        this.schedule(this.replayIntervalMillis);
        return;
      }
      void this.drainOne().then((more) => {
        if (more && this.reachable) this.schedule(this.replayIntervalMillis);
      });
    }, delayMillis);
    // Never keep the host alive for telemetry.
    this.timer.unref();
  }

  /** One attempt at the oldest body; true when there may be more to send right away. */
  private async drainOne(): Promise<boolean> {
    if (this.draining || this.closed) return false;
    this.draining = true;
    try {
      const entry = await this.backlog.take();
      if (entry === undefined) {
        // Nothing left to probe with (delivered, or dropped past the cap): the next export
        // probes instead, and queues itself again if the backend is still away.
        this.reachable = true;
        return false;
      }
      const response = await this.attempt(entry.body, this.timeoutMillis);
      if (response.status === 'retryable') {
        await entry.release();
        this.markUnreachable(response);
        return false;
      }
      await entry.remove();
      this.reachable = true;
      if (response.status === 'failure') reportExportError(response.error);
      else {
        this.delivered();
        if (response.data !== undefined && response.data.byteLength > 0) this.onReplayAnswer?.(response.data);
      }
      return true;
    } catch (error) {
      diag.debug(`${MESSAGE_PREFIX} replaying the export backlog failed`, error);
      this.schedule(this.backoff(undefined));
      return false;
    } finally {
      this.draining = false;
    }
  }

  /** The backend took a body: the outage, if there was one, is over; say what it cost. */
  private delivered(): void {
    if (!this.outage) return;
    this.outage = false;
    this.nextBackoffMillis = INITIAL_BACKOFF_MILLIS;
    this.dropped.report();
  }
}
