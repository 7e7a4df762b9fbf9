import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { Env } from './resolve-exporter-config';
import type { InstrumentationOptions } from './types';

/**
 * The official http, undici (Node's `fetch`) and ioredis instrumentations plus the user's extras.
 * The browser FetchInstrumentation is deliberately absent: Node's fetch is undici.
 */
export function createInstrumentations(options: InstrumentationOptions = {}): Instrumentation[] {
  const instrumentations: Instrumentation[] = [];
  if (options.http !== false) {
    const { inbound, ...config } = options.http ?? {};
    instrumentations.push(
      new HttpInstrumentation({
        ...config,
        // Turns off only the SERVER side so a framework middleware can own the inbound span while
        // outbound CLIENT spans keep working.
        ...(inbound === false ? { disableIncomingRequestInstrumentation: true } : {}),
      }),
    );
  }
  if (options.undici !== false) instrumentations.push(new UndiciInstrumentation(options.undici ?? {}));
  if (options.ioredis !== false) instrumentations.push(new IORedisInstrumentation(options.ioredis ?? {}));
  instrumentations.push(...(options.extra ?? []));
  return instrumentations;
}

/**
 * Module names the ESM loader hook must intercept for these instrumentations. undici works
 * through diagnostics_channel and needs no hook; http/https are listed so ESM named imports
 * (`import { request } from 'node:http'`) are patched too, not only the CommonJS exports object.
 */
export const HOOKED_MODULES: readonly string[] = ['ioredis', 'http', 'https'];

/**
 * `KIRA_HTTP_INBOUND=off` is the `--import @kira/otel-core/register` way to say
 * `instrumentations: { http: { inbound: false } }` (a Hono service whose `@kira/otel-hono` owns the
 * SERVER span). An explicit `inbound` option wins; a bad value warns and keeps the default (on).
 */
export function applyHttpInboundEnv(options: InstrumentationOptions | undefined, env: Env, warnings: string[]): InstrumentationOptions | undefined {
  const raw = env.KIRA_HTTP_INBOUND?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'on') return options;
  if (raw !== 'off') {
    warnings.push(`@kira/otel-core: KIRA_HTTP_INBOUND="${env.KIRA_HTTP_INBOUND}" is not "on" or "off"; keeping the http instrumentation's inbound side on`);
    return options;
  }
  if (options?.http === false || (options?.http !== undefined && options.http.inbound !== undefined)) return options;
  return { ...options, http: { ...options?.http, inbound: false } };
}
