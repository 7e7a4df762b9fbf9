import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import { RESOURCE_ATTRIBUTES } from '@kira/conventions';
import { parseKeyValueList } from './parse-key-value-list';
import type { Env } from './resolve-exporter-config';
import type { TelemetryOptions } from './types';
import { MESSAGE_PREFIX } from './message-prefix';

/**
 * The resource every signal carries (the telemetry contract): `service.name`, `service.version`,
 * `deployment.environment.name`, plus `OTEL_RESOURCE_ATTRIBUTES`. Precedence per attribute:
 * option > dedicated env variable (`OTEL_SERVICE_NAME`) > `OTEL_RESOURCE_ATTRIBUTES` > derived
 * default (package.json, `NODE_ENV`).
 */
export function resolveResourceAttributes(
  env: Env,
  options: TelemetryOptions,
  warnings: string[],
  cwd: string = process.cwd(),
): Attributes {
  const fromEnv: Record<string, string> = {};
  const raw = env.OTEL_RESOURCE_ATTRIBUTES;
  if (raw !== undefined && raw.trim() !== '') {
    const { values, invalid } = parseKeyValueList(raw);
    if (invalid.length > 0) {
      warnings.push(`${MESSAGE_PREFIX} OTEL_RESOURCE_ATTRIBUTES has malformed entries (${invalid.join(', ')}); expected key=value, skipping them`);
    }
    Object.assign(fromEnv, values);
  }

  const packageJson = nearestPackageJson(cwd);
  const fromOption = (key: string): string | undefined => {
    const value = options.resourceAttributes?.[key];
    return typeof value === 'string' ? nonEmpty(value) : undefined;
  };
  const { serviceName: SERVICE_NAME, serviceVersion: SERVICE_VERSION, deploymentEnvironmentName: ENVIRONMENT } = RESOURCE_ATTRIBUTES;
  const serviceName =
    nonEmpty(options.serviceName) ??
    fromOption(SERVICE_NAME) ??
    nonEmpty(env.OTEL_SERVICE_NAME) ??
    nonEmpty(fromEnv[SERVICE_NAME]) ??
    nonEmpty(packageJson?.name) ??
    'unknown_service:node';
  const serviceVersion =
    nonEmpty(options.serviceVersion) ??
    fromOption(SERVICE_VERSION) ??
    nonEmpty(fromEnv[SERVICE_VERSION]) ??
    nonEmpty(packageJson?.version);
  const environment =
    nonEmpty(options.environment) ??
    fromOption(ENVIRONMENT) ??
    nonEmpty(fromEnv[ENVIRONMENT]) ??
    nonEmpty(env.NODE_ENV);

  const attributes: Attributes = { ...fromEnv, ...options.resourceAttributes, [SERVICE_NAME]: serviceName };
  if (serviceVersion !== undefined) attributes[SERVICE_VERSION] = serviceVersion;
  if (environment !== undefined) attributes[ENVIRONMENT] = environment;
  return attributes;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** The service's own package.json: the first one with a name walking up from the working directory. */
function nearestPackageJson(start: string): { name?: string; version?: string } | undefined {
  let directory = start;
  for (;;) {
    try {
      const parsed = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as unknown;
      if (parsed !== null && typeof parsed === 'object') {
        const { name, version } = parsed as { name?: unknown; version?: unknown };
        if (typeof name === 'string' && name !== '') {
          return { name, version: typeof version === 'string' ? version : undefined };
        }
      }
    } catch {
      // Missing or unreadable: keep walking up.
    }
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}
