// Child-process plumbing for the demo: start, wait for a line, stop by PID.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process printed, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export function startProcess(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    output: () => output,
    async stop(graceMs = 8000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Resolves with the first stdout/stderr line matching `pattern`; rejects if the process exits first. */
export function waitForLine(processHandle: ManagedProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => processHandle.output().match(pattern);
    const found = check();
    if (found) return resolve(found);
    const onData = () => {
      const match = check();
      if (match) finish(() => resolve(match));
    };
    const onExit = (code: number | null) =>
      finish(() => reject(new Error(`${processHandle.name} exited (${code}) before printing ${pattern}:\n${processHandle.output().slice(-3000)}`)));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`${processHandle.name} did not print ${pattern} within ${timeoutMs} ms:\n${processHandle.output().slice(-3000)}`))),
      timeoutMs,
    );
    const finish = (then: () => void) => {
      clearTimeout(timer);
      processHandle.child.stdout?.off('data', onData);
      processHandle.child.stderr?.off('data', onData);
      processHandle.child.off('exit', onExit);
      then();
    };
    processHandle.child.stdout?.on('data', onData);
    processHandle.child.stderr?.on('data', onData);
    processHandle.child.once('exit', onExit);
  });
}
