import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import * as core from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { RPC_METADATA_KEY_DESCRIPTION, getHttpRpcMetadata } from './opentelemetry-internals';

// Each check throws a message naming the key, so an @opentelemetry/* upgrade that moves it fails
// here, loudly, instead of silently losing route names.
function mustHold(condition: boolean, key: string, consequence: string): void {
  if (!condition) throw new Error(`OpenTelemetry internal "${key}" is no longer provided as expected: ${consequence}; update src/opentelemetry-internals.ts`);
}

describe('OpenTelemetry internals otel-hono relies on (against the installed packages)', () => {
  it(`@opentelemetry/core stores the RPC metadata under "${RPC_METADATA_KEY_DESCRIPTION}"`, () => {
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const metadata: core.RPCMetadata = { type: core.RPCType.HTTP, span };
    const fromCore = core.setRPCMetadata(ROOT_CONTEXT, metadata);
    mustHold(getHttpRpcMetadata(fromCore) === metadata, RPC_METADATA_KEY_DESCRIPTION, 'otelHono would no longer see the http instrumentation\'s SERVER span');
    mustHold((core.RPCType.HTTP as string) === 'http', RPC_METADATA_KEY_DESCRIPTION, `RPCType.HTTP is now "${String(core.RPCType.HTTP)}"`);
    expect(getHttpRpcMetadata(ROOT_CONTEXT)).toBeUndefined();
  });

  it('@opentelemetry/instrumentation-http still names its SERVER span from the RPC metadata route', () => {
    // A static look at the installed build; the behaviour itself is covered end to end by
    // otel-core-auto.test.ts (the real instrumentation on a real server).
    const require = createRequire(import.meta.url);
    const distDir = dirname(require.resolve('@opentelemetry/instrumentation-http'));
    const source = readdirSync(distDir)
      .filter((file) => file.endsWith('.cjs'))
      .map((file) => readFileSync(join(distDir, file), 'utf8'))
      .join('\n');
    mustHold(
      source.includes('setRPCMetadata') && source.includes('getRPCMetadata') && source.includes('rpcMetadata.route'),
      RPC_METADATA_KEY_DESCRIPTION,
      'the http instrumentation no longer reads rpcMetadata.route to name its SERVER span',
    );
  });
});
