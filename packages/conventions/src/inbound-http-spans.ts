// The hand-off between a framework middleware that can own the inbound SERVER span
// (@kira/otel-hono) and the package that runs the http instrumentation (@kira/otel-core). Neither
// depends on the other: they meet here, on globalThis under a registered symbol, so every copy of
// every package (CommonJS and ESM builds) shares one registry.
import { argumentError } from './values';

const REGISTRY_KEY = Symbol.for('@kira/inbound-http-spans');

type ClaimListener = (owner: string) => void;

interface InboundRegistry {
  owner: string | undefined;
  readonly listeners: Set<ClaimListener>;
}

function registry(): InboundRegistry {
  const holder = globalThis as { [REGISTRY_KEY]?: InboundRegistry };
  return (holder[REGISTRY_KEY] ??= { owner: undefined, listeners: new Set() });
}

/**
 * For a framework middleware: from now on it opens the inbound SERVER span itself, so the http
 * instrumentation's inbound side may step aside (where it was left at its default). The first
 * claim wins; later ones are no-ops. A listener that throws never reaches the caller. An owner
 * that is not a non-empty string throws a TypeError.
 *
 * @example claimInboundHttpSpans('@kira/otel-hono');
 */
export function claimInboundHttpSpans(owner: string): void {
  // A middleware claims once, at set-up, under its package name: anything else would claim the
  // spans for nobody (undefined) or for a value listeners cannot print.
  if (typeof owner !== 'string' || owner === '') throw argumentError('claimInboundHttpSpans', 'the owner as a non-empty string', owner);
  const state = registry();
  if (state.owner !== undefined) return;
  state.owner = owner;
  for (const listener of [...state.listeners]) {
    try {
      listener(owner);
    } catch {
      // The owner of the listener reports its own failures; a middleware's setup must not break.
    }
  }
}

/** Who claimed the inbound SERVER spans, or undefined. */
export function inboundHttpSpansOwner(): string | undefined {
  return registry().owner;
}

/**
 * For the owner of the http instrumentation: `listener` runs once when a middleware claims the
 * inbound SERVER spans (at once if one already has). Returns the unsubscribe function. A listener
 * that is not a function throws a TypeError.
 *
 * @example const stop = onInboundHttpSpansClaimed((owner) => turnInboundSideOff(owner));
 */
export function onInboundHttpSpansClaimed(listener: ClaimListener): () => void {
  if (typeof listener !== 'function') throw argumentError('onInboundHttpSpansClaimed', 'the listener as a function', listener);
  const state = registry();
  if (state.owner !== undefined) {
    listener(state.owner);
    return () => {};
  }
  const once: ClaimListener = (owner) => {
    state.listeners.delete(once);
    listener(owner);
  };
  state.listeners.add(once);
  return () => {
    state.listeners.delete(once);
  };
}

/** For this package's tests (not exported from the index): forget the claim, as a new process would. */
export function resetInboundHttpSpansClaim(): void {
  const state = registry();
  state.owner = undefined;
  state.listeners.clear();
}
