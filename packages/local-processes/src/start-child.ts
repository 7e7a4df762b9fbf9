import { type ChildProcess, spawn } from 'node:child_process';

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout/stderr match; rejects when the process exits first or on timeout. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  isRunning(): boolean;
  /** SIGTERM by PID, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const MAX_KEPT_OUTPUT = 1_000_000;
const running = new Set<Child>();

/** Spawns a child whose output is kept; every child is remembered so {@link stopAllChildren} can stop it by PID. */
export function startChild(name: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; detached?: boolean } = {}): Child {
  // `detached` makes the child lead its own process group, so a test can signal the group as a
  // terminal's Ctrl-C does: `process.kill(-child.pid, 'SIGINT')`.
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd, detached: options.detached ?? false });
  if (child.pid === undefined) throw new Error(`${name} could not be spawned`);
  // Output is kept for waitForLine and error messages, capped so a long-running child (the demo
  // runs until Ctrl-C) cannot grow the parent's memory without bound.
  let out = '';
  let err = '';
  const keep = (text: string) => (text.length > MAX_KEPT_OUTPUT ? text.slice(-MAX_KEPT_OUTPUT / 2) : text);
  child.stdout?.on('data', (chunk: Buffer) => {
    out = keep(out + chunk.toString());
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err = keep(err + chunk.toString());
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, atMs: performance.now() })),
  );
  const handle: Child = {
    name,
    pid: child.pid,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    isRunning: () => child.exitCode === null && child.signalCode === null,
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => (out + err).match(pattern);
        const finish = (then: () => void) => {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          child.stderr?.off('data', onData);
          child.off('exit', onExit);
          then();
        };
        const onData = () => {
          const match = check();
          if (match) finish(() => resolve(match));
        };
        const onExit = (code: number | null) =>
          finish(() => reject(new Error(`${name} exited (${code}) before printing ${pattern}:\n${(out + err).slice(-3000)}`)));
        const timer = setTimeout(
          () => finish(() => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${(out + err).slice(-3000)}`))),
          timeoutMs,
        );
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', onExit);
        onData();
      });
    },
    async stop(graceMs = 8_000) {
      if (handle.isRunning()) {
        process.kill(handle.pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (handle.isRunning()) process.kill(handle.pid, 'SIGKILL');
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(handle);
      return { code: child.exitCode, signal: child.signalCode };
    },
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

/** Stops every child still running (afterAll). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop(3_000)));
}
