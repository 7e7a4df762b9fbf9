import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DroppedExports } from './dropped-exports';
import { warnOnce } from './warn-once';
import { MESSAGE_PREFIX } from './message-prefix';

// A spool file is MAGIC + body length (uint32 BE) + sha256 of the body + the encoded OTLP body,
// so a truncated or overwritten file is recognised before anything is sent.
const MAGIC = Buffer.from('KSP1');
const HEADER_BYTES = MAGIC.length + 4 + 32;
// <15-digit ms timestamp>-<pid>-<sequence>.<pb|json>: sorting by name is sorting by age.
const SPOOL_FILE = /^(\d{15})-(\d+)-(\d+)\.(pb|json)$/;
// A file being delivered is renamed to <name>.claimed-<pid>; rename is atomic, so exactly one
// process wins a file even when several share the directory.
const CLAIMED_FILE = /^(\d{15}-\d+-\d+\.(?:pb|json))\.claimed-(\d+)$/;
// A body is written to .<name>.tmp and then renamed to <name>. A process that died between the two
// left its temporary file behind, outside the cap; whoever next measures the directory deletes it.
const TEMPORARY_FILE = /^\.\d{15}-(\d+)-\d+\.(?:pb|json)\.tmp$/;

export type SpoolSignal = 'traces' | 'metrics' | 'logs';
export type SpoolEncoding = 'pb' | 'json';

export interface SpooledBody {
  body: Uint8Array;
  /** Delivered, or rejected for good: the file is deleted. */
  remove(): Promise<void>;
  /** Not delivered yet: the file goes back for a later attempt (by any process). */
  release(): Promise<void>;
}

export class SpoolCorruptError extends Error {
  constructor(file: string, reason: string) {
    super(`spool file ${file} is ${reason}`);
    this.name = 'SpoolCorruptError';
  }
}

// Per process, not per instance: two instances of one process writing in the same millisecond
// must not pick the same file name (the second rename would replace the first body).
let nextSequence = 0;

/**
 * The on-disk backlog of encoded OTLP request bodies, one file per body, under
 * `<root>/<signal>/`. Shared safely by several processes: writes are published by rename, and
 * each file is claimed by rename before it is read, so no file is delivered by two processes.
 * The total size of all signals is kept under `limitBytes` by deleting the oldest files.
 */
export class SpoolDirectory {
  private knownBytes: number | undefined;
  private lastScanAt = 0;
  private readonly created = new Set<string>();
  private readonly claimed = new Set<string>();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly root: string,
    readonly limitBytes: number,
    private readonly dropped: DroppedExports,
  ) {}

  /** Publishes one body; the oldest files go first when the directory would pass its cap. */
  write(signal: SpoolSignal, encoding: SpoolEncoding, body: Uint8Array): Promise<void> {
    // One write at a time: the three signals' exporters write concurrently, and each must make
    // room knowing what the others wrote, or together they would pass the cap.
    const next = this.writing.then(() => this.writeNow(signal, encoding, body));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async writeNow(signal: SpoolSignal, encoding: SpoolEncoding, body: Uint8Array): Promise<void> {
    const size = HEADER_BYTES + body.byteLength;
    if (size > this.limitBytes) {
      this.dropped.record(1, body.byteLength, 'spool');
      return;
    }
    const folder = join(this.root, signal);
    const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(nextSequence++).padStart(9, '0')}.${encoding}`;
    await this.makeRoomFor(size);
    if (!this.created.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.created.add(folder);
    }
    const temporary = join(folder, `.${name}.tmp`);
    await writeFile(temporary, frame(body));
    await rename(temporary, join(folder, name));
    this.knownBytes = (this.knownBytes ?? 0) + size;
  }

  /**
   * Claims the oldest body of a signal, or returns undefined when there is none. Corrupt and
   * truncated files are deleted with one stderr line each and skipped.
   */
  async claimOldest(signal: SpoolSignal, encoding: SpoolEncoding): Promise<SpooledBody | undefined> {
    const folder = join(this.root, signal);
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return undefined;
    }
    const candidates: Array<{ name: string; from: string }> = [];
    for (const entry of names) {
      const published = SPOOL_FILE.exec(entry);
      if (published?.[4] === encoding) {
        candidates.push({ name: entry, from: entry });
        continue;
      }
      // A claim left by a process that died mid-delivery goes back into the backlog.
      const claim = CLAIMED_FILE.exec(entry);
      if (claim && claim[1]?.endsWith(`.${encoding}`) && !isAlive(Number(claim[2])) && !this.claimed.has(entry)) {
        candidates.push({ name: claim[1], from: entry });
      }
    }
    candidates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const candidate of candidates) {
      const claimedName = `${candidate.name}.claimed-${process.pid}`;
      const claimedPath = join(folder, claimedName);
      try {
        await rename(join(folder, candidate.from), claimedPath);
      } catch {
        continue; // another process claimed it first
      }
      this.claimed.add(claimedName);
      let body: Uint8Array;
      try {
        body = unframe(await readFile(claimedPath), `${signal}/${candidate.name}`);
      } catch (error) {
        warnOnce(`${MESSAGE_PREFIX} skipping a telemetry spool file that cannot be sent (${error instanceof Error ? error.message : String(error)}); deleting it`);
        await this.forget(claimedPath, claimedName);
        continue;
      }
      const size = HEADER_BYTES + body.byteLength;
      return {
        body,
        remove: async () => {
          await this.forget(claimedPath, claimedName);
          if (this.knownBytes !== undefined) this.knownBytes = Math.max(0, this.knownBytes - size);
        },
        release: async () => {
          this.claimed.delete(claimedName);
          await rename(claimedPath, join(folder, candidate.name)).catch(() => undefined);
        },
      };
    }
    return undefined;
  }

  private async forget(path: string, claimedName: string): Promise<void> {
    this.claimed.delete(claimedName);
    await unlink(path).catch(() => undefined);
  }

  /**
   * Other processes write to the same directory, so the size is re-measured from the files at
   * most once a second, and always before a write that would pass the cap.
   */
  private async makeRoomFor(size: number): Promise<void> {
    const now = Date.now();
    if (this.knownBytes !== undefined && now - this.lastScanAt < 1_000 && this.knownBytes + size <= this.limitBytes) return;
    this.lastScanAt = now;
    const files = await this.listAll();
    let total = files.reduce((sum, file) => sum + file.size, 0);
    for (const file of files) {
      if (total + size <= this.limitBytes) break;
      if (file.claimed) continue;
      try {
        await unlink(file.path);
      } catch {
        continue; // claimed or deleted by another process meanwhile
      }
      total -= file.size;
      this.dropped.record(1, Math.max(0, file.size - HEADER_BYTES), 'spool');
    }
    this.knownBytes = total;
  }

  /**
   * Every published and claimed file of the three signals with its size. A file renamed between
   * the listing and its `stat` (claimed for delivery, or put back after a failed attempt by this
   * process's own retry loop or another process) is under another name by then: counted under
   * neither, the directory would look smaller than it is and the next writes could pass the cap
   * by that file. So the listing is taken again when an entry vanished (at most three times;
   * a file deleted meanwhile also looks vanished, and then the last listing is right anyway).
   */
  private async listAll(): Promise<SpoolFile[]> {
    for (let attempt = 1; ; attempt++) {
      const { files, vanished } = await this.listOnce();
      if (!vanished || attempt === 3) return files;
    }
  }

  private async listOnce(): Promise<{ files: SpoolFile[]; vanished: boolean }> {
    const files: SpoolFile[] = [];
    let vanished = false;
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      let names: string[];
      try {
        names = await readdir(join(this.root, signal));
      } catch {
        continue;
      }
      for (const name of names) {
        const published = SPOOL_FILE.test(name);
        const claim = CLAIMED_FILE.exec(name);
        const temporary = TEMPORARY_FILE.exec(name);
        // Never delivered: its body was lost with the process that was writing it.
        if (temporary && !isAlive(Number(temporary[1]))) await unlink(join(this.root, signal, name)).catch(() => undefined);
        if (!published && !claim) continue;
        const path = join(this.root, signal, name);
        try {
          const info = await stat(path);
          // Another live process is sending it: leave it. Our own claim may go (its body is
          // already in memory), because the oldest must go first.
          const claimedByOther = claim !== null && Number(claim[2]) !== process.pid && isAlive(Number(claim[2]));
          files.push({ path, name: claim?.[1] ?? name, size: info.size, claimed: claimedByOther });
        } catch {
          vanished = true;
        }
      }
    }
    return { files: files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), vanished };
  }
}

/** A spool file as the cap sees it; `claimed`: another live process is delivering it (not ours to delete). */
interface SpoolFile {
  path: string;
  name: string;
  size: number;
  claimed: boolean;
}

function frame(body: Uint8Array): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(body.byteLength, MAGIC.length);
  createHash('sha256').update(body).digest().copy(header, MAGIC.length + 4);
  return Buffer.concat([header, body]);
}

function unframe(file: Buffer, name: string): Uint8Array {
  if (file.length < HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) throw new SpoolCorruptError(name, 'not a spool file or truncated');
  const length = file.readUInt32BE(MAGIC.length);
  if (file.length !== HEADER_BYTES + length) throw new SpoolCorruptError(name, `truncated (${file.length - HEADER_BYTES} of ${length} bytes)`);
  const body = file.subarray(HEADER_BYTES);
  const expected = file.subarray(MAGIC.length + 4, HEADER_BYTES);
  if (!createHash('sha256').update(body).digest().equals(expected)) throw new SpoolCorruptError(name, 'corrupt (checksum mismatch)');
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
