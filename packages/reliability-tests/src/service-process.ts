import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, startChild } from '@kira/test-utils';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ServiceProcess {
  url: string;
  child: Child;
}

/**
 * `node --import @kira/otel-core/register fixtures/service.mjs` (a Hono app with otel-hono,
 * traceAITool and getLogger), configured by the environment exactly like a production service.
 */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const child = startChild('service', process.execPath, ['--import', '@kira/otel-core/register', join(packageRoot, 'fixtures', 'service.mjs')], {
    cwd: packageRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      OTEL_SERVICE_NAME: 'reliability-fixture',
      OTEL_TRACES_SAMPLER_ARG: '1',
      ...env,
    },
  });
  const [, port] = (await child.waitForLine(/"event":"ready","port":(\d+)/, 30_000)) as unknown as [string, string];
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Current and peak resident memory of a process, from /proc (Linux). */
export async function readProcessMemory(pid: number): Promise<{ rssMb: number; peakRssMb: number }> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Lines of a child's stderr that signal a crash or an unhandled rejection. */
export function crashLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /Unhandled|uncaught|FATAL|Error \[ERR_UNHANDLED_REJECTION\]|triggerUncaughtException/i.test(line));
}
