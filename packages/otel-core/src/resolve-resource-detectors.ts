import { isThenable } from '@kira/conventions';
import type { Attributes } from '@opentelemetry/api';
import { hostDetector, osDetector, processDetector, type ResourceDetector, serviceInstanceIdDetector } from '@opentelemetry/resources';
import { parseEnumList } from './parse-key-value-list';
import type { Env } from './resolve-exporter-config';
import { MESSAGE_PREFIX } from './message-prefix';

// The SDK's Node detectors, under the names `OTEL_NODE_RESOURCE_DETECTORS` uses for them.
const DETECTORS: ReadonlyMap<string, ResourceDetector> = new Map([
  ['host', hostDetector],
  ['os', osDetector],
  ['process', processDetector],
  ['serviceinstance', serviceInstanceIdDetector],
]);

/**
 * What the detectors find and otel-core does not send:
 * - `process.command_args` / `process.command_line`: a command line can carry a secret
 *   (`--token=…`, a database URL), and telemetry never sends one;
 * - `host.id`: the SDK reads the machine id asynchronously (a file, or a child process on macOS
 *   and Windows), and otel-core encodes spans when they end, from start-up on, so the resource
 *   must be complete when telemetry starts.
 */
export const LEFT_OUT_DETECTED_ATTRIBUTES: ReadonlySet<string> = new Set(['process.command_args', 'process.command_line', 'host.id']);

/**
 * The resource attributes the SDK's Node resource detectors find, chosen as NodeSDK chooses them
 * (`@opentelemetry/sdk-node`; `OTEL_NODE_RESOURCE_DETECTORS`, documented in
 * https://opentelemetry.io/docs/zero-code/js/configuration/#sdk-and-exporter-configuration):
 * unset or `all` = every detector, `none` = none, otherwise a comma-separated list of `env`, `host`,
 * `os`, `process`, `serviceinstance` (trimmed, case-insensitive). Unknown names warn and the rest
 * applies. So a service moving from NodeSDK keeps `host.name`, `process.pid`, `service.instance.id`
 * and the rest it had (less {@link LEFT_OUT_DETECTED_ATTRIBUTES}).
 *
 * `env` is accepted and changes nothing: otel-core reads `OTEL_RESOURCE_ATTRIBUTES` and
 * `OTEL_SERVICE_NAME` itself, always (resolve-resource-attributes.ts), because `service.name`
 * must not depend on the detector list. Those attributes are merged over these.
 */
export function resolveDetectedResourceAttributes(env: Env, warnings: string[]): Attributes {
  const detectors = chosenDetectors(env, warnings);
  const attributes: Attributes = {};
  for (const [name, detector] of detectors) {
    let detected: Attributes | undefined;
    try {
      detected = detector.detect().attributes;
    } catch (error) {
      // A detector reads the OS (user info, host name); a failure there costs only its attributes.
      warnings.push(`${MESSAGE_PREFIX} resource detector ${name} failed (${error instanceof Error ? error.message : String(error)}); its attributes are left out`);
      continue;
    }
    for (const [key, value] of Object.entries(detected ?? {})) {
      if (LEFT_OUT_DETECTED_ATTRIBUTES.has(key) || value === undefined || isThenable(value)) continue;
      attributes[key] = value;
    }
  }
  return attributes;
}

function chosenDetectors(env: Env, warnings: string[]): Array<[string, ResourceDetector]> {
  const raw = env.OTEL_NODE_RESOURCE_DETECTORS?.trim() ?? '';
  const every = [...DETECTORS];
  if (raw === '') return every;
  const names = parseEnumList(raw);
  const unknown = names.filter((name) => name !== 'all' && name !== 'none' && name !== 'env' && !DETECTORS.has(name));
  if (unknown.length > 0) {
    warnings.push(
      `${MESSAGE_PREFIX} OTEL_NODE_RESOURCE_DETECTORS: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a resource detector' : 'are not resource detectors'} (use env, host, os, process, serviceinstance, all or none); ignoring ${unknown.length === 1 ? 'it' : 'them'}`,
    );
  }
  // NodeSDK's order of precedence: all, then none.
  if (names.includes('all')) return every;
  if (names.includes('none')) return [];
  return every.filter(([name]) => names.includes(name));
}
