import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
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
