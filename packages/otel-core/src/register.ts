/**
 * `node --import @kira/otel-core/register app.js`: starts telemetry from the environment before
 * the app's first import, and installs the ESM loader hook that lets instrumentations patch
 * modules an ES-module app imports (without it an ESM app gets no ioredis spans, silently).
 */
import * as nodeModule from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { HOOKED_MODULES } from './create-instrumentations';
import { startTelemetry } from './start-telemetry';
import { warnOnce } from './warn-once';
import { MESSAGE_PREFIX } from './message-prefix';

// Preloads also run inside worker threads, including the loader-hooks thread that
// module.register() creates when this file is `--require`d: a second SDK or a second hook
// registration there would be wrong, so only the main thread starts anything.
const handle = isMainThread ? startTelemetry() : undefined;

// Only when telemetry is on: the hook costs a loader thread and wraps every hooked module.
// `include` keeps it to the instrumented modules so the rest of the app loads untouched.
if (handle?.enabled) {
  try {
    nodeModule.register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
      data: { include: [...HOOKED_MODULES] },
    });
  } catch (error) {
    warnOnce(
      `${MESSAGE_PREFIX} the ESM loader hook could not be registered (${error instanceof Error ? error.message : String(error)}); ES-module imports of ${HOOKED_MODULES.join(', ')} will not be instrumented`,
    );
  }
}
