import { parseEnumList } from './parse-key-value-list';
import type { Env } from './resolve-exporter-config';
import { MESSAGE_PREFIX } from './message-prefix';

/** The propagators otel-core can set up: the W3C ones, which ship with the SDK. */
export type PropagatorName = 'tracecontext' | 'baggage';

const DEFAULT: readonly PropagatorName[] = ['tracecontext', 'baggage'];

/**
 * `OTEL_PROPAGATORS`, as the SDK environment variable spec defines it
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#general-sdk-configuration):
 * a comma-separated list, default `tracecontext,baggage`; `none` means no propagator. Values are
 * trimmed and case-insensitive, like the spec's other enums. `b3`, `b3multi`, `jaeger`, `xray` and
 * `ottrace` live in packages otel-core does not ship: a warning names them and the rest of the
 * list applies, instead of the variable being ignored as a whole.
 */
export function resolvePropagators(env: Env, warnings: string[]): readonly PropagatorName[] {
  const raw = env.OTEL_PROPAGATORS?.trim() ?? '';
  if (raw === '') return DEFAULT;
  const names = parseEnumList(raw);
  if (names.includes('none')) {
    if (names.length > 1) warnings.push(`${MESSAGE_PREFIX} OTEL_PROPAGATORS="${raw}" lists none with others; no trace headers are propagated`);
    return [];
  }
  const supported = names.filter((name): name is PropagatorName => name === 'tracecontext' || name === 'baggage');
  const unsupported = names.filter((name) => name !== 'tracecontext' && name !== 'baggage');
  if (unsupported.length > 0) {
    const using = supported.length > 0 ? supported.join(',') : 'none';
    warnings.push(`${MESSAGE_PREFIX} OTEL_PROPAGATORS: ${unsupported.join(', ')} ${unsupported.length === 1 ? 'is' : 'are'} not supported (use tracecontext, baggage or none); using ${using}`);
  }
  return supported;
}
