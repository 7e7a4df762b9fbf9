import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort } from './free-port';
import type { RedisHandle } from './types';

const installHint = 'redis-server was not found on PATH; install it with `apt-get install -y redis-server` or set REDIS_URL';

/**
 * A real Redis for tests: REDIS_URL when set (stop() is then a no-op), otherwise a throwaway
 * `redis-server` on a free port without persistence. Example: `const redis = await startRedis(); new Redis(redis.url)`
 */
export async function startRedis(): Promise<RedisHandle> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => {} };

  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForPong(child, port);
      child.stdout?.removeAllListeners('data').resume();
      child.stderr?.removeAllListeners('data').resume();
      return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) };
    } catch (error) {
      await stopChild(child);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(installHint, { cause: error });
      // Another process may have taken the port between freePort() and bind; try a new one.
      if (attempt < 2 && /address already in use/i.test(output)) continue;
      throw new Error(`redis-server did not start: ${(error as Error).message}\n${output}`, { cause: error });
    }
  }
}

async function waitForPong(child: ChildProcess, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: Error | undefined;
  child.once('error', (error) => (exited = error));
  child.once('exit', (code) => (exited ??= new Error(`redis-server exited with code ${code}`)));
  for (;;) {
    if (exited) throw exited;
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`no PONG from 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Sends a RESP PING over a raw socket; true when the server answers +PONG. */
export function ping(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let answer = '';
    const finish = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) finish(answer.startsWith('+PONG'));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
