import { MESSAGE_PREFIX } from './message-prefix';

export type DropCause = 'queue' | 'spool' | 'shutdown';

/**
 * Counts the export bodies dropped during one outage (queue or spool past its cap, memory
 * backlog left at shutdown) across all signals, and says so in one stderr line when the outage
 * ends, instead of one line per dropped batch.
 */
export class DroppedExports {
  private counts: Record<DropCause, { bodies: number; bytes: number }> = emptyCounts();

  constructor(
    private readonly limits: { queueBytes: number; spoolBytes: number | undefined },
    private readonly print: (line: string) => void = printToStderr,
  ) {}

  record(bodies: number, bytes: number, cause: DropCause): void {
    this.counts[cause].bodies += bodies;
    this.counts[cause].bytes += bytes;
  }

  get total(): number {
    return this.counts.queue.bodies + this.counts.spool.bodies + this.counts.shutdown.bodies;
  }

  /** Prints the line for the outage that just ended (if anything was dropped) and starts over. */
  report(): void {
    const { queue, spool, shutdown } = this.counts;
    if (queue.bodies + spool.bodies + shutdown.bodies === 0) return;
    const parts: string[] = [];
    if (spool.bodies > 0) {
      parts.push(`dropped the ${spool.bodies} oldest export(s) (${kib(spool.bytes)}) because the spool reached its cap of ${kib(this.limits.spoolBytes ?? 0)} (spoolSizeLimitBytes / KIRA_TELEMETRY_SPOOL_SIZE_LIMIT_BYTES)`);
    }
    if (queue.bodies > 0) {
      parts.push(`dropped the ${queue.bodies} oldest export(s) (${kib(queue.bytes)}) because the in-memory retry queue reached its cap of ${kib(this.limits.queueBytes)} per signal`);
    }
    if (shutdown.bodies > 0) {
      parts.push(`${shutdown.bodies} queued export(s) (${kib(shutdown.bytes)}) were still undelivered at shutdown and are lost (KIRA_TELEMETRY_SPOOL_DIR keeps them for the next process)`);
    }
    this.counts = emptyCounts();
    this.print(`${MESSAGE_PREFIX} telemetry backend was unreachable; ${parts.join('; ')}`);
  }
}

function emptyCounts(): Record<DropCause, { bodies: number; bytes: number }> {
  return { queue: { bodies: 0, bytes: 0 }, spool: { bodies: 0, bytes: 0 }, shutdown: { bodies: 0, bytes: 0 } };
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function printToStderr(line: string): void {
  try {
    console.warn(line);
  } catch {
    // A closed stderr must not break the host.
  }
}
