import { fork, type ChildProcess } from 'node:child_process';

/** A message-driven child: `call` sends a request and resolves with the child's reply. */
export interface Child {
  readonly pid: number;
  call<R = unknown>(type: string, payload?: unknown, timeoutMs?: number): Promise<R>;
  /** Ends the child (and waits for it to exit). */
  stop(): Promise<void>;
}

interface Reply {
  id?: number;
  type: string;
  value?: unknown;
  error?: string;
}

/**
 * Forks a benchmark entry file (run from source through Node's type stripping) and waits until
 * it sends `{ type: 'ready', value }`. Its stdout is discarded (console-mode loggers write
 * there); stderr is kept so crashes are visible.
 */
export async function startChild<Ready = unknown>(
  entry: URL,
  options: {
    args?: string[];
    env?: Record<string, string | undefined>;
    execArgv?: string[];
    readyTimeoutMs?: number;
    /**
     * Runs Node under another program, `command ...args node ...execArgv entry`: valgrind for the
     * cache count. The program must keep the process (its pid stays the child's) and its inherited
     * file descriptors, as valgrind does, so the IPC channel still reaches Node.
     */
    wrapper?: { command: string; args: string[] };
  } = {},
): Promise<{ child: Child; ready: Ready }> {
  const nodeArgv = ['--disable-warning=ExperimentalWarning', ...(options.execArgv ?? [])];
  const process_ = fork(entry, options.args ?? [], {
    env: { ...process.env, ...options.env },
    ...(options.wrapper === undefined
      ? { execArgv: nodeArgv }
      : { execPath: options.wrapper.command, execArgv: [...options.wrapper.args, process.execPath, ...nodeArgv] }),
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => process_.once('exit', () => resolve()));

  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry.pathname}: no ready message`)), options.readyTimeoutMs ?? 30_000);
    process_.once('exit', (code) => {
      exited = true;
      clearTimeout(timer);
      reject(new Error(`${entry.pathname} ${(options.args ?? []).join(' ')} exited with ${code} before it was ready`));
      for (const waiter of pending.values()) waiter.reject(new Error('child exited'));
    });
    process_.on('message', (message: Reply) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.value as Ready);
        return;
      }
      if (message.id === undefined) return;
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.value);
    });
  });

  const child: Child = {
    pid: process_.pid!,
    call<R>(type: string, payload?: unknown, timeoutMs = 120_000): Promise<R> {
      if (exited) return Promise.reject(new Error('child exited'));
      const id = nextId++;
      return new Promise<R>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`child ${type} timed out`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as R);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        process_.send({ id, type, payload });
      });
    },
    async stop() {
      if (exited || process_.exitCode !== null) return;
      // Disconnecting lets the child exit normally (so `--cpu-prof` writes its profile);
      // signals only if it does not.
      if (process_.connected) process_.disconnect();
      const term = setTimeout(() => killByPid(process_, 'SIGTERM'), 5_000);
      const kill = setTimeout(() => killByPid(process_, 'SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(term);
      clearTimeout(kill);
    },
  };
  return { child, ready };
}

function killByPid(process_: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process_.kill(signal);
  } catch {
    // already gone
  }
}

type Handler = (payload: unknown) => unknown;

/**
 * The child side: answers `{ id, type, payload }` requests with the handler's (awaited) result
 * and announces readiness. Exits when the parent goes away, so no server outlives a crashed run.
 */
export function serveParent(handlers: Record<string, Handler>, readyValue: unknown): void {
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the listener catches every failure and answers it
  process.on('message', async (message: { id: number; type: string; payload: unknown }) => {
    const handler = handlers[message.type];
    try {
      if (handler === undefined) throw new Error(`unknown request ${message.type}`);
      const value = await handler(message.payload);
      process.send?.({ id: message.id, type: message.type, value });
    } catch (error) {
      process.send?.({ id: message.id, type: message.type, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', value: readyValue });
}
