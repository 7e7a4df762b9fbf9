import { afterEach, describe, expect, it, vi } from 'vitest';

const originalLevel = process.env.OTEL_LOG_LEVEL;
afterEach(() => {
  if (originalLevel === undefined) delete process.env.OTEL_LOG_LEVEL;
  else process.env.OTEL_LOG_LEVEL = originalLevel;
  vi.restoreAllMocks();
  vi.resetModules();
});

// A fresh module per test: the reporter remembers reasons for the life of the process.
async function freshReporter() {
  const lines: string[] = [];
  vi.spyOn(console, 'warn').mockImplementation((message: string) => lines.push(message));
  const { reportExportError } = await import('./report-export-error');
  return { lines, reportExportError };
}

const unauthorized = Object.assign(new Error('Unauthorized'), { code: 401 });
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' });

describe('reportExportError', () => {
  it('prints the first failure of each reason once, naming the reason', async () => {
    delete process.env.OTEL_LOG_LEVEL;
    const { lines, reportExportError } = await freshReporter();
    for (let index = 0; index < 5; index++) reportExportError(unauthorized);
    reportExportError(refused);
    reportExportError(refused);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^@kira\/otel-core: telemetry export failed \(401: Unauthorized\)/);
    expect(lines[1]).toContain('(ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:4318)');
  });

  it('prints every failure at OTEL_LOG_LEVEL=debug', async () => {
    process.env.OTEL_LOG_LEVEL = 'debug';
    const { lines, reportExportError } = await freshReporter();
    for (let index = 0; index < 3; index++) reportExportError(unauthorized);
    expect(lines).toHaveLength(3);
  });
});
