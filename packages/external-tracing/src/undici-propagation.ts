interface DiagnosticsChannelModule {
  hasSubscribers(name: string): boolean;
}

let channels: DiagnosticsChannelModule | null | undefined;

/**
 * True when something (the OTel undici instrumentation started by `@kira/otel-core`, Sentry's
 * fetch integration) listens to undici's request channel and therefore adds its own trace headers.
 * Adding ours as well would send two `traceparent` headers, which receivers must treat as invalid.
 */
export function undiciInjectsTraceHeaders(): boolean {
  if (channels === undefined) {
    try {
      // getBuiltinModule keeps the package loadable where node:diagnostics_channel does not exist.
      const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
        ?.getBuiltinModule;
      channels = (getBuiltinModule?.('node:diagnostics_channel') as DiagnosticsChannelModule | undefined) ?? null;
    } catch {
      channels = null;
    }
  }
  return channels !== null && channels.hasSubscribers('undici:request:create');
}
