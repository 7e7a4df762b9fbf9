interface DiagnosticsChannelModule {
  channel(name: string): { readonly hasSubscribers: boolean };
}

/**
 * undici's request channel, looked up once. Holding the channel object keeps it the one that
 * subscribers get later (diagnostics_channel keeps channels by weak reference), and reading its
 * `hasSubscribers` each call skips the module's by-name lookup.
 */
let requestChannel: { readonly hasSubscribers: boolean } | null | undefined;

/**
 * True when something (the OTel undici instrumentation started by `@kira/otel-core`, Sentry's
 * fetch integration) listens to undici's request channel and therefore adds its own trace headers.
 * Adding ours as well would send two `traceparent` headers, which receivers must treat as invalid.
 */
export function undiciInjectsTraceHeaders(): boolean {
  if (requestChannel === undefined) {
    try {
      // getBuiltinModule keeps the package loadable where node:diagnostics_channel does not exist.
      const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
        ?.getBuiltinModule;
      const channels = getBuiltinModule?.('node:diagnostics_channel') as DiagnosticsChannelModule | undefined;
      requestChannel = channels?.channel('undici:request:create') ?? null;
    } catch {
      requestChannel = null;
    }
  }
  return requestChannel !== null && requestChannel.hasSubscribers;
}
