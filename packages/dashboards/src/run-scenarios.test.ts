import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { builtInAlerts } from './built-in-alerts';
import { parseSeriesValues, runScenario, runScenarios, ScenarioFormatError } from './run-scenarios';

const SCENARIOS = fileURLToPath(new URL('../scenarios', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('built-in scenarios', () => {
  const report = runScenarios(SCENARIOS);

  it('all pass', () => {
    expect(report.errors).toEqual([]);
    expect(report.results.filter((result) => !result.passed)).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it('give every built-in alert one scenario where it fires and one where it must not', () => {
    for (const alert of builtInAlerts) {
      const results = report.results.filter((result) => result.alertId === alert.id && result.passed);
      expect(results.some((result) => result.expected.fired.length > 0), `${alert.id} fires somewhere`).toBe(true);
      expect(results.some((result) => result.expected.fired.length === 0), `${alert.id} stays quiet somewhere`).toBe(true);
    }
  });
});

describe('runScenario', () => {
  const workers = builtInAlerts.filter((alert) => alert.metric === 'workers_utilization');

  it('reports a wrong expectation with the actual minutes', () => {
    const [critical, warning] = runScenario({ series: { workers_utilization: '0.9*6' }, expect: { 'imgproxy-workers-warning': { fired: [4] } } }, 'x.json', workers).sort((a, b) =>
      a.alertId.localeCompare(b.alertId),
    );
    expect(warning).toMatchObject({ passed: false, actual: { fired: [5], resolved: [], state: 'firing' } });
    expect(warning?.message).toBe('fired at minutes [5], expected [4]');
    // not listed in expect → must not fire, but it does at minute 2
    expect(critical).toMatchObject({ passed: false, message: 'fired at minutes [2], expected []' });
  });

  it('prefers a series keyed by alert id over one keyed by metric, and checks the final state', () => {
    const results = runScenario(
      { series: { workers_utilization: '0.1*3', 'imgproxy-workers-critical': '0.9*3' }, expect: { 'imgproxy-workers-critical': { fired: [2], state: 'pending' } } },
      'x.json',
      workers,
    );
    const critical = results.find((result) => result.alertId === 'imgproxy-workers-critical');
    expect(critical?.message).toBe('ends firing, expected pending');
    expect(results.find((result) => result.alertId === 'imgproxy-workers-warning')?.passed).toBe(true);
  });

  it('refuses malformed scenarios', () => {
    expect(() => runScenario({ series: { workers_utilization: '0.9 x' } }, 'x.json')).toThrow(ScenarioFormatError);
    expect(() => runScenario({ series: {}, expect: { nope: {} } }, 'x.json')).toThrow(/unknown alert "nope"/);
    expect(() => runScenario({ series: {}, expect: { 'imgproxy-heap-warning': {} } }, 'x.json')).toThrow(/no series/);
    expect(() => runScenario({ start: 'yesterday', series: {} }, 'x.json')).toThrow(/bad start/);
    expect(() => runScenario({} as never, 'x.json')).toThrow(/"series" object/);
  });
});

describe('parseSeriesValues', () => {
  it('expands v, v*N, _ and _*N tokens and JSON arrays with null gaps', () => {
    expect(parseSeriesValues('1 2.5*3 _ -1e2 _*2 .5')).toEqual([1, 2.5, 2.5, 2.5, undefined, -100, undefined, undefined, 0.5]);
    expect(parseSeriesValues([1, null, 3])).toEqual([1, undefined, 3]);
    expect(() => parseSeriesValues(['1'] as never)).toThrow(ScenarioFormatError);
  });
});

describe('runScenarios', () => {
  it('reports unreadable files as errors and fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenarios-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ series: { heap_mb: '100*3' } }));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const report = runScenarios(dir);
    expect(report.files).toEqual(['bad.json', 'good.json']);
    expect(report.errors.map((error) => error.file)).toEqual(['bad.json']);
    expect(report.results.map((result) => [result.alertId, result.passed])).toEqual([
      ['imgproxy-heap-warning', true],
      ['imgproxy-heap-critical', true],
    ]);
    expect(report.passed).toBe(false);
  });
});
