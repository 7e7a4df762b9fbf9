import { isTelemetryDestination, isTelemetryOrigin } from '@kira/conventions';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { Env } from './resolve-exporter-config';
import type { InstrumentationOptions } from './types';
import { MESSAGE_PREFIX } from './message-prefix';

/**
 * The official http, undici (Node's `fetch`) and ioredis instrumentations plus the user's extras.
 * The browser FetchInstrumentation is deliberately absent: Node's fetch is undici.
 */
export function createInstrumentations(options: InstrumentationOptions = {}, inboundClaimed = false): Instrumentation[] {
  const instrumentations: Instrumentation[] = [];
  if (options.http !== false) {
    const { inbound: inboundOption, ignoreOutgoingRequestHook, ...config } = options.http ?? {};
    // A middleware that claimed the inbound SERVER spans before the SDK started (see
    // http-inbound-handoff.ts) counts as `inbound: false` where the option was left unset.
    const inbound = inboundOption ?? (inboundClaimed ? false : undefined);
    instrumentations.push(
      new HttpInstrumentation({
        ...config,
        // The telemetry's own transport (OTLP exports, Sentry envelopes) is never traced; the
        // user's hook still decides for every other request.
        ignoreOutgoingRequestHook: (request) =>
          isTelemetryDestination(request.hostname ?? hostOf(request.host), request.port ?? portOf(request.host), request.protocol ?? undefined, request.path ?? undefined) ||
          ignoreOutgoingRequestHook?.(request) === true,
        // Turns off only the SERVER side so a framework middleware can own the inbound span while
        // outbound CLIENT spans keep working.
        ...(inbound === false ? { disableIncomingRequestInstrumentation: true } : {}),
      }),
    );
  }
  if (options.undici !== false) {
    const { ignoreRequestHook, ...config } = options.undici ?? {};
    instrumentations.push(
      new UndiciInstrumentation({
        ...config,
        ignoreRequestHook: (request) => isTelemetryOrigin(request.origin, request.path) || ignoreRequestHook?.(request) === true,
      }),
    );
  }
  if (options.ioredis !== false) instrumentations.push(new IORedisInstrumentation(options.ioredis ?? {}));
  instrumentations.push(...(options.extra ?? []));
  return instrumentations;
}

// `host` in Node's request options may carry the port (`example.com:8080`) when `hostname` is absent.
function hostOf(host: string | null | undefined): string {
  if (typeof host !== 'string') return 'localhost';
  const portStart = host.lastIndexOf(':');
  return portStart > host.lastIndexOf(']') ? host.slice(0, portStart) : host;
}

function portOf(host: string | null | undefined): string | undefined {
  if (typeof host !== 'string') return undefined;
  const portStart = host.lastIndexOf(':');
  return portStart > host.lastIndexOf(']') ? host.slice(portStart + 1) : undefined;
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
  const said = readHttpInboundEnv(env);
  if (said === undefined || said === 'on') return options;
  if (said === 'invalid') {
    warnings.push(`${MESSAGE_PREFIX} KIRA_HTTP_INBOUND="${env.KIRA_HTTP_INBOUND}" is not "on" or "off"; keeping the http instrumentation's inbound side on`);
    return options;
  }
  if (options?.http === false || (options?.http !== undefined && options.http.inbound !== undefined)) return options;
  return { ...options, http: { ...options?.http, inbound: false } };
}

/** `KIRA_HTTP_INBOUND` as set: `on`, `off` (any case, trimmed), unset or empty, or anything else. */
export function readHttpInboundEnv(env: Env): 'on' | 'off' | 'invalid' | undefined {
  const raw = env.KIRA_HTTP_INBOUND?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  return raw === 'on' || raw === 'off' ? raw : 'invalid';
}
