import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { LEFT_OUT_DETECTED_ATTRIBUTES, resolveDetectedResourceAttributes } from './resolve-resource-detectors';

const detect = (value?: string) => {
  const warnings: string[] = [];
  const attributes = resolveDetectedResourceAttributes(value === undefined ? {} : { OTEL_NODE_RESOURCE_DETECTORS: value }, warnings);
  return { attributes, warnings, prefixes: new Set(Object.keys(attributes).map((key) => key.split('.')[0] === 'service' ? key : key.split('.')[0])) };
};

describe('resolveDetectedResourceAttributes', () => {
  it('by default runs the host, os, process and service instance detectors, as NodeSDK does', () => {
    const { attributes, warnings, prefixes } = detect();
    expect(warnings).toEqual([]);
    expect(prefixes).toEqual(new Set(['host', 'os', 'process', 'service.instance.id']));
    expect(attributes).toMatchObject({ 'host.name': hostname(), 'process.pid': process.pid, 'process.runtime.name': 'nodejs', 'process.runtime.version': process.versions.node });
  });

  it('leaves out the command line (it can carry secrets) and the asynchronous host.id', () => {
    const { attributes } = detect('all');
    for (const key of LEFT_OUT_DETECTED_ATTRIBUTES) expect(attributes).not.toHaveProperty([key]);
    expect(LEFT_OUT_DETECTED_ATTRIBUTES).toEqual(new Set(['process.command_args', 'process.command_line', 'host.id']));
    // Only plain values: nothing the SDK would have to wait for.
    for (const value of Object.values(attributes)) expect(typeof (value as { then?: unknown })?.then).not.toBe('function');
  });

  it.each([
    ['none', []],
    ['host', ['host']],
    [' OS , Process ', ['os', 'process']],
    ['serviceinstance', ['service.instance.id']],
    ['env', []],
    ['none,host', []],
    ['all,none', ['host', 'os', 'process', 'service.instance.id']],
  ])('OTEL_NODE_RESOURCE_DETECTORS=%j runs %j, without a warning', (value, expected) => {
    const { warnings, prefixes } = detect(value);
    expect(warnings).toEqual([]);
    expect(prefixes).toEqual(new Set(expected));
  });

  it('names unknown detectors in one warning and runs the rest', () => {
    const { warnings, prefixes } = detect('host,gcp,aws');
    expect(prefixes).toEqual(new Set(['host']));
    expect(warnings).toEqual([
      '@kira/otel-core: OTEL_NODE_RESOURCE_DETECTORS: gcp, aws are not resource detectors (use env, host, os, process, serviceinstance, all or none); ignoring them',
    ]);
  });
});
