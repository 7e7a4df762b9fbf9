import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

export interface RunningVerdaccio {
  /** Registry URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  pid: number;
  /** Registers a user through the npm login endpoint and returns its bearer token. */
  createUser(name: string, password: string): Promise<string>;
  /** Stops the registry by its PID and waits for it to exit. */
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const VERDACCIO_BIN = path.join(path.dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// @kira/* is local only (no uplink) and needs a login even to read, like the team's private
// registry; everything else is proxied to the public registry so peers such as
// @opentelemetry/api resolve.
function configYaml(dir: string, port: number): string {
  return [
    `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    'uplinks:',
    '  npmjs:',
    '    url: https://registry.npmjs.org/',
    '    timeout: 60s',
    'packages:',
    "  '@kira/*':",
    '    access: $authenticated',
    '    publish: $authenticated',
    '    unpublish: $authenticated',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: npmjs',
    'web:',
    '  enable: false',
    'log: { type: stdout, format: pretty, level: warn }',
    `listen: 127.0.0.1:${port}`,
    '',
  ].join('\n');
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Verdaccio exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(new URL('-/ping', url));
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`Verdaccio did not answer on ${url} within 30 s:\n${log()}`);
}

/** Starts Verdaccio on 127.0.0.1 with its storage, users and config under `dir`. */
export async function startVerdaccio(dir: string, env: NodeJS.ProcessEnv): Promise<RunningVerdaccio> {
  fs.mkdirSync(dir, { recursive: true });
  let lastError: unknown;
  // The free port can be taken between probing and binding; a second port fixes that.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const configFile = path.join(dir, 'config.yaml');
    fs.writeFileSync(configFile, configYaml(dir, port));
    const child = spawn(process.execPath, [VERDACCIO_BIN, '--config', configFile], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-8000)));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-8000)));
    const url = `http://127.0.0.1:${port}/`;
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      process.kill(child.pid, 'SIGTERM');
      if (!(await waitForExit(child, 5_000))) {
        process.kill(child.pid, 'SIGKILL');
        await waitForExit(child, 5_000);
      }
    };
    try {
      await waitUntilUp(url, child, () => output);
    } catch (error) {
      lastError = error;
      await stop();
      continue;
    }
    return {
      url,
      pid: child.pid as number,
      stop,
      async createUser(name, password) {
        const response = await fetch(new URL(`-/user/org.couchdb.user:${encodeURIComponent(name)}`, url), {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            _id: `org.couchdb.user:${name}`,
            name,
            password,
            type: 'user',
            roles: [],
            date: new Date().toISOString(),
          }),
        });
        const body = (await response.json()) as { token?: unknown; error?: unknown };
        if (!response.ok || typeof body.token !== 'string') {
          throw new Error(`creating user ${name} failed: ${response.status} ${JSON.stringify(body)}`);
        }
        return body.token;
      },
    };
  }
  throw lastError;
}
