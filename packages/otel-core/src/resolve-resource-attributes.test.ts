import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveResourceAttributes } from './resolve-resource-attributes';

const root = mkdtempSync(join(tmpdir(), 'otel-core-resource-'));
const nested = join(root, 'service', 'src', 'deep');
mkdirSync(nested, { recursive: true });
writeFileSync(join(root, 'service', 'package.json'), JSON.stringify({ name: 'kira-be', version: '2.3.4' }));
writeFileSync(join(root, 'service', 'src', 'package.json'), JSON.stringify({ type: 'module' }));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveResourceAttributes', () => {
  it('derives service.name and service.version from the nearest named package.json and the environment from NODE_ENV', () => {
    expect(resolveResourceAttributes({ NODE_ENV: 'production' }, {}, [], nested)).toEqual({
      'service.name': 'kira-be',
      'service.version': '2.3.4',
      'deployment.environment.name': 'production',
    });
  });

  it('falls back to unknown_service:node without any package.json name', () => {
    const empty = mkdtempSync(join(tmpdir(), 'otel-core-empty-'));
    try {
      expect(resolveResourceAttributes({}, {}, [], empty)['service.name']).toBe('unknown_service:node');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('orders option > OTEL_SERVICE_NAME > OTEL_RESOURCE_ATTRIBUTES > package.json', () => {
    const env = {
      NODE_ENV: 'production',
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,service.namespace=kira,deployment.environment.name=staging,team=a%20b',
    };
    expect(resolveResourceAttributes(env, {}, [], nested)).toEqual({
      'service.name': 'from-env',
      'service.version': '2.3.4',
      'service.namespace': 'kira',
      'deployment.environment.name': 'staging',
      team: 'a b',
    });
    expect(
      resolveResourceAttributes(env, { serviceName: 'opt', serviceVersion: '9', environment: 'dev', resourceAttributes: { team: 'x' } }, [], nested),
    ).toMatchObject({ 'service.name': 'opt', 'service.version': '9', 'deployment.environment.name': 'dev', team: 'x' });
  });

  it('warns about malformed OTEL_RESOURCE_ATTRIBUTES entries and keeps the good ones', () => {
    const warnings: string[] = [];
    const attributes = resolveResourceAttributes({ OTEL_RESOURCE_ATTRIBUTES: 'oops,region=eu' }, {}, warnings, nested);
    expect(attributes.region).toBe('eu');
    expect(warnings).toEqual([expect.stringMatching(/^@kira\/otel-core: OTEL_RESOURCE_ATTRIBUTES has malformed entries \(oops\)/)]);
  });
});
