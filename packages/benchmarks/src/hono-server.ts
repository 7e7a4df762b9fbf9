// Child process: one Hono server with one telemetry setup. Argument: the setup name.
// Telemetry starts before @hono/node-server (and node:http) load, as it must in a real service.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { serveParent } from './child-process.ts';
import { createBenchApp, emptyMiddleware } from './hono-app.ts';
import { KEEP_ALIVE_TIMEOUT_ENV, keepAliveTimeoutFrom, KNOWN_WORK_MICROS, SERVER_SETUPS, type ServerSetup } from './hono-setups.ts';

const setup = process.argv[2] as ServerSetup;
if (!SERVER_SETUPS.includes(setup)) throw new Error(`unknown setup ${setup}`);
const endpoint = process.env.BENCH_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
const sampleRatio = Number(process.env.BENCH_SAMPLE_RATIO ?? '0.1');
const keepAliveTimeoutMs = keepAliveTimeoutFrom(process.env[KEEP_ALIVE_TIMEOUT_ENV]);

const middleware: MiddlewareHandler[] = [];
let flush: () => Promise<void> = async () => {};

if (setup === 'bare-middleware') {
  middleware.push(emptyMiddleware);
} else if (setup === 'middleware-5us') {
  // A tight loop on the clock: the same 5 µs of CPU on every request, in code that never goes
  // cold, so what the harness reports for it over `bare-middleware` shows how it scales work.
  middleware.push(async (_c, next) => {
    const start = performance.now();
    while (performance.now() - start < KNOWN_WORK_MICROS / 1000) {
      // spin
    }
    await next();
  });
} else if (setup === 'kira-off') {
  // No SDK at all: the API's no-op providers, as in development.
  const { otelHono } = await import('@kira/otel-hono');
  middleware.push(otelHono());
} else if (setup === 'als-only') {
  // No SDK: what entering a context costs Node by itself, without the API's layers.
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const storage = new AsyncLocalStorage<object>();
  const store = {};
  middleware.push(async (_c, next) => {
    await storage.run(store, next);
  });
} else if (setup === 'sdk-empty' || setup === 'sdk-ctx' || setup === 'sdk-span-ctx') {
  // otel-core started from the environment as for kira-floor; each step adds one piece of its
  // middleware (hono-setups.ts, FLOOR_STEP_SETUPS).
  await expectTelemetryStarted();
  const { context, createContextKey, ROOT_CONTEXT } = await import('@opentelemetry/api');
  flush = flushGlobalTracerProvider;
  if (setup === 'sdk-empty') {
    middleware.push(emptyMiddleware);
  } else if (setup === 'sdk-ctx') {
    // A context other than the active one (so the manager really enters it), holding no span;
    // built once, so only entering and leaving it is counted.
    const constant = ROOT_CONTEXT.setValue(createContextKey('bench sdk-ctx'), true);
    middleware.push(async (_c, next) => {
      await context.with(constant, next);
    });
  } else {
    const { floorSpanMiddleware } = await import('./floor-middleware.ts');
    middleware.push(floorSpanMiddleware());
  }
} else if (setup === 'kira' || setup === 'kira-unsampled' || setup === 'kira-inbound-on' || setup === 'kira-floor') {
  // Telemetry was started by `--import @kira/otel-core/register` from the environment (see
  // honoServerLaunch), exactly as a service following the README runs.
  await expectTelemetryStarted();
  flush = flushGlobalTracerProvider;
  if (setup === 'kira-floor') {
    const { floorMiddleware } = await import('./floor-middleware.ts');
    middleware.push(floorMiddleware());
  } else {
    const { otelHono } = await import('@kira/otel-hono');
    middleware.push(otelHono());
  }
} else if (setup === 'usual' || setup === 'usual-hono-otel') {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { ParentBasedSampler, TraceIdRatioBasedSampler } = await import('@opentelemetry/sdk-trace');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-proto');
  const { PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
  // The setup most Node services copy from the OpenTelemetry docs (NodeSDK wraps the trace
  // exporter in a BatchSpanProcessor).
  const sdk = new NodeSDK({
    serviceName: `bench-${setup}`,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }),
    traceExporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }),
    metricReaders: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }) })],
    logRecordProcessors: [],
    instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation()],
  });
  sdk.start();
  flush = flushGlobalTracerProvider;
  if (setup === 'usual-hono-otel') {
    // The real community middleware, with its defaults (it opens its own SERVER span, nested
    // under the http instrumentation's, and records http.server.request.duration).
    const { httpInstrumentationMiddleware } = await import('@hono/otel');
    middleware.push(httpInstrumentationMiddleware());
  }
}

/** Fails the server's start when the SDK the setup's launch should have registered is not there. */
async function expectTelemetryStarted(): Promise<void> {
  const { isSpanContextValid, trace } = await import('@opentelemetry/api');
  // A no-op tracer (no SDK) hands out the invalid all-zero span context; the probe is never ended.
  if (!isSpanContextValid(trace.getTracer('bench').startSpan('probe').spanContext())) {
    throw new Error('telemetry did not start: was the child launched with --import @kira/otel-core/register?');
  }
}

async function flushGlobalTracerProvider(): Promise<void> {
  const { trace } = await import('@opentelemetry/api');
  const provider = trace.getTracerProvider() as unknown as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
  await provider.getDelegate?.().forceFlush?.();
}

// An ES module's `import 'node:http'` bypasses the require hook; one require after start lets
// the instrumentation patch Server.prototype (what a CommonJS service or a loader hook gets).
createRequire(import.meta.url)('node:http');
const { serve } = await import('@hono/node-server');

const app = createBenchApp(middleware);
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
// Only the cache count sets it (hono-setups.ts says why); `pnpm bench` keeps Node's default.
if (keepAliveTimeoutMs !== undefined && 'keepAliveTimeout' in server) server.keepAliveTimeout = keepAliveTimeoutMs;
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const { port } = server.address() as AddressInfo;

serveParent(
  {
    stats: () => ({ cpu: process.cpuUsage(), memory: process.memoryUsage() }),
    /** Memory after a full collection (the child runs with --expose-gc). */
    memory: () => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage();
    },
    flush: () => flush(),
  },
  {
    url: `http://127.0.0.1:${port}`,
    pid: process.pid,
    execArgv: process.execArgv,
    // What the server really runs with, so a caller that set it can check it took.
    keepAliveTimeoutMs: 'keepAliveTimeout' in server ? server.keepAliveTimeout : undefined,
  },
);
