import { diag } from '@opentelemetry/api';
import { inboundHttpSpansOwner, onInboundHttpSpansClaimed } from '@kira/conventions';
import { isWrapped } from '@opentelemetry/instrumentation';
import type { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { readHttpInboundEnv } from './create-instrumentations';
import type { Env } from './resolve-exporter-config';
import type { InstrumentationOptions } from './types';
import { MESSAGE_PREFIX } from './message-prefix';

/**
 * Whether the http instrumentation's inbound side is left at its default — neither
 * `instrumentations.http.inbound` nor `KIRA_HTTP_INBOUND` says anything — and may therefore step
 * aside for a framework middleware that claims the inbound SERVER span (`@kira/otel-hono`).
 * `KIRA_HTTP_INBOUND=on` (or `inbound: true`) keeps it on whatever a middleware says; a value
 * that is neither `on` nor `off` is warned about and counts as `on`.
 */
export function inboundSideMayStepAside(options: InstrumentationOptions | undefined, env: Env): boolean {
  if (options?.http === false || options?.http?.inbound !== undefined) return false;
  return readHttpInboundEnv(env) === undefined;
}

/** True when a middleware has already claimed the inbound SERVER spans (before the SDK started). */
export function inboundAlreadyClaimed(): boolean {
  return inboundHttpSpansOwner() !== undefined;
}

/**
 * When a middleware claims the inbound SERVER spans, turns the http instrumentation's inbound side
 * off: its config (read when `http`/`https` are next patched or unpatched) and the `emit` patch
 * it already put on `http.Server.prototype` / `https.Server.prototype`. Outbound CLIENT spans are
 * untouched. Returns the unsubscribe function.
 *
 * Why at run time: `--import @kira/otel-core/register` starts the SDK before the app's imports,
 * which load `node:http` (and so apply the patch) before the app's code creates its middleware.
 */
export function stepAsideWhenClaimed(instrumentation: HttpInstrumentation): () => void {
  return onInboundHttpSpansClaimed((owner) => {
    try {
      const { removed, wrappedByOthers } = removeInboundPatches();
      // With a foreign wrapper on top the inbound side stays on, and the config keeps saying so,
      // so that disabling the instrumentation later still unwraps it.
      if (wrappedByOthers.length > 0) return;
      instrumentation.setConfig({ ...instrumentation.getConfig(), disableIncomingRequestInstrumentation: true });
      diag.debug(`${MESSAGE_PREFIX} ${owner} owns inbound SERVER spans; the http instrumentation's inbound side is off (${removed.join(', ') || 'not patched yet'})`);
    } catch (error) {
      diag.warn(`${MESSAGE_PREFIX} could not turn the http instrumentation's inbound side off for ${owner}; set KIRA_HTTP_INBOUND=off`, error);
    }
  });
}

/** The name the http instrumentation gives its `Server.prototype.emit` wrapper (checked by a test). */
export const INBOUND_WRAPPER_NAME = 'incomingRequest';

/** Modules whose `Server.prototype.emit` the http instrumentation patches for inbound requests. */
const SERVER_MODULES = ['node:http', 'node:https'] as const;

/**
 * Restores the original `emit` where the instrumentation's wrapper is the outermost one. A
 * wrapper someone else put on top (another SDK) is left alone: unwrapping would remove theirs.
 * Returns the modules whose patch was removed and those left wrapped by someone else.
 */
export function removeInboundPatches(): { removed: string[]; wrappedByOthers: string[] } {
  const removed: string[] = [];
  const wrappedByOthers: string[] = [];
  for (const name of SERVER_MODULES) {
    // getBuiltinModule bypasses the require hook: a module nobody loaded yet is not patched by
    // this call, and is patched without its inbound side once the app loads it.
    const loaded = process.getBuiltinModule?.(name) as { Server?: { prototype: { emit: unknown } } } | undefined;
    const prototype = loaded?.Server?.prototype;
    if (prototype === undefined) continue;
    const emit = prototype.emit as { name?: string; __unwrap?: () => void };
    if (!isWrapped(emit)) continue;
    if (emit.name !== INBOUND_WRAPPER_NAME) {
      diag.warn(`${MESSAGE_PREFIX} ${name} Server.prototype.emit is wrapped by something other than the http instrumentation; its inbound side stays on (set KIRA_HTTP_INBOUND=off)`);
      wrappedByOthers.push(name);
      continue;
    }
    emit.__unwrap?.();
    removed.push(name);
  }
  return { removed, wrappedByOthers };
}
