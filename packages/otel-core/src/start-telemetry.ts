import { context, DiagConsoleLogger, DiagLogLevel, diag, logs, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, setGlobalErrorHandler, W3CBaggagePropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { declareSamplerFollowsParent, declareSamplerIgnoresAttributes, registerTelemetryDestination } from '@kira/conventions';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { applyHttpInboundEnv, createInstrumentations } from './create-instrumentations';
import { inboundAlreadyClaimed, inboundSideMayStepAside, stepAsideWhenClaimed } from './http-inbound-handoff';
import { HistogramCellsProducer } from './histogram-cells-producer';
import { meterProviderWithHistogramCells } from './instrumentation-histogram-cells';
import { installExitHandlers } from './install-exit-handlers';
import { ParentBasedTracerProvider } from './parent-based-tracer-provider';
import { PooledIdGenerator } from './pooled-id-generator';
import { type Env, exportedSignal, resolveExporterConfig, SIGNALS } from './resolve-exporter-config';
import { exportedSignals, resolveSignalExporters } from './resolve-signal-exporters';
import { resolvePropagators } from './resolve-propagators';
import { resolveSampler, type SamplerChoice } from './resolve-sampler';
import { TraceContextPropagator } from './trace-context-propagator';
import { createJsonLogExporter, createJsonSpanExporter, createMetricExporter } from './otlp-http-exporters';
import { resolveResourceAttributes } from './resolve-resource-attributes';
import { resolveDetectedResourceAttributes } from './resolve-resource-detectors';
import { resolveSettings } from './resolve-settings';
import { queueFullListener } from './report-queue-full';
import { resolveBatchAndLimits } from './resolve-batch-and-limits';
import { resolveTelemetryEnabled } from './resolve-telemetry-enabled';
import { getTelemetryState, type TelemetryState } from './telemetry-state';
import type { TelemetryHandle, TelemetryOptions } from './types';
import { warnOnce } from './warn-once';
import { RedactUrlAttributesProcessor } from './redact-url-attributes';
import { reportExportError } from './report-export-error';
import { ExportQueues, resolveSpoolSettings } from './export-queues';
import { EncodeOnEndSpanProcessor } from './encode-on-end-span-processor';
import { SlicedProtobufExporter } from './sliced-protobuf-exporter';
import { MESSAGE_PREFIX } from './message-prefix';

const NOOP_HANDLE: TelemetryHandle = Object.freeze({
  enabled: false,
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
});

/**
 * Starts traces, metrics and logs for this process, exported over OTLP/HTTP. Call it once, as
 * early as possible (or use `node --import @kira/otel-core/register`). Never throws: problems are
 * printed once with the `@kira/otel-core:` prefix and telemetry stays off.
 *
 * @example const telemetry = startTelemetry({ serviceName: 'kira-be' });
 */
export function startTelemetry(options: TelemetryOptions = {}): TelemetryHandle {
  const state = getTelemetryState();
  if (state.handle !== undefined) {
    warnOnce(`${MESSAGE_PREFIX} startTelemetry() was called more than once; returning the first handle and ignoring the new options`);
    return state.handle;
  }
  let handle: TelemetryHandle;
  try {
    handle = start(options ?? {}, process.env, state);
  } catch (error) {
    warnOnce(`${MESSAGE_PREFIX} telemetry could not start (${error instanceof Error ? error.message : String(error)}); telemetry stays off`);
    state.mode = options?.console === false ? 'silent' : 'console';
    handle = NOOP_HANDLE;
  }
  state.handle = handle;
  return handle;
}

function start(options: TelemetryOptions, env: Env, state: TelemetryState): TelemetryHandle {
  const decision = resolveTelemetryEnabled(env, { enabled: options.enabled });
  for (const warning of decision.warnings) warnOnce(warning);
  if (!decision.enabled) {
    state.mode = decision.reason === 'OTEL_SDK_DISABLED=true' || options.console === false ? 'silent' : 'console';
    return NOOP_HANDLE;
  }

  const warnings: string[] = [];
  installDiagLogger(env, warnings);
  setGlobalErrorHandler(reportExportError);
  // OTEL_<SIGNAL>_EXPORTER=none: that signal needs no destination and is not exported.
  const exporter = resolveExporterConfig(env, options, warnings, exportedSignals(resolveSignalExporters(env, warnings)));
  const settings = resolveSettings(env, options, warnings);
  const { spanBatching, logRecordBatching, spanLimits, logRecordLimits } = resolveBatchAndLimits(env, warnings);
  const sampler = resolveSampler(env, options, settings.sampleRatio, warnings);
  const propagators = resolvePropagators(env, warnings);
  const resourceAttributes = resolveResourceAttributes(env, options, warnings);
  const detectedResourceAttributes = resolveDetectedResourceAttributes(env, warnings);
  const instrumentationOptions = applyHttpInboundEnv(options.instrumentations, env, warnings);
  const spoolSettings = resolveSpoolSettings(env, options, warnings);
  for (const warning of warnings) warnOnce(warning);
  if (!exporter.ok) {
    warnOnce(exporter.message);
    state.mode = options.console === false ? 'silent' : 'console';
    return NOOP_HANDLE;
  }

  // undefined: that signal is not exported (its OTEL_<SIGNAL>_EXPORTER is none).
  const traces = exportedSignal(exporter, 'traces');
  const metricsExport = exportedSignal(exporter, 'metrics');
  const logsExport = exportedSignal(exporter, 'logs');
  // Exports are sent inside the SDK's suppressed context, but retries and replays may not be.
  for (const signal of SIGNALS) {
    const url = exporter.urls[signal];
    if (url !== undefined) registerTelemetryDestination(url);
  }
  // Built before anything is registered globally: a throwing constructor (bad instrumentation
  // config) then leaves the process untouched, and the caller falls back to the no-op handle.
  const inboundMayStepAside = inboundSideMayStepAside(options.instrumentations, env);
  const claimedBeforeStart = inboundMayStepAside && inboundAlreadyClaimed();
  const instrumentations = createInstrumentations(instrumentationOptions, claimedBeforeStart);
  // The service's own attributes (options, OTEL_RESOURCE_ATTRIBUTES, …) win over detected ones.
  const resource = defaultResource().merge(resourceFromAttributes({ ...detectedResourceAttributes, ...resourceAttributes }));
  // Retryable failures wait in a bounded queue (or the spool) instead of being dropped.
  // A signal that is not exported never reaches its queue; its protocol there is only a placeholder.
  const queues = new ExportQueues(spoolSettings, {
    traces: traces?.protocol ?? 'http/protobuf',
    metrics: metricsExport?.protocol ?? 'http/protobuf',
    logs: logsExport?.protocol ?? 'http/protobuf',
  });

  // Not exported: the provider still samples and propagates context, it only has no exporting processor.
  const spanProcessors: SpanProcessor[] =
    traces === undefined
      ? []
      : [
          new RedactUrlAttributesProcessor(spanLimits.attributeValueLengthLimit),
          // With protobuf, sampled spans are encoded as they end instead of waiting as SDK objects.
          traces.protocol === 'http/json'
            ? new BatchSpanProcessor({
                exporter: queues.wrap(createJsonSpanExporter(traces), 'traces'),
                ...spanBatching,
                // Only so a drop at a full queue is printed (report-queue-full.ts); no metric is kept.
                selfObsMeterProvider: queueFullListener('spans', spanBatching.maxQueueSize),
              })
            : new EncodeOnEndSpanProcessor(queues.wrapSliced(SlicedProtobufExporter.forSpans(traces), 'traces'), spanBatching),
        ];
  // Values are cut to the length limit by RedactUrlAttributesProcessor once URLs are redacted: cut
  // first, a URL's credentials could lose the `@` that marks them (redact-url-attributes.ts).
  const providerSpanLimits = { ...spanLimits, attributeValueLengthLimit: Number.POSITIVE_INFINITY };
  // Every request gets ids, sampled or not: pooled crypto randomness is ~4x cheaper per root span.
  const idGenerator = new PooledIdGenerator();
  const tracerProvider =
    sampler.kind === 'parent-based'
      ? // ParentBased(TraceIdRatioBased(ratio)); the spans it drops skip the SDK's span machinery.
        new ParentBasedTracerProvider({ resource, sampleRatio: sampler.ratio, idGenerator, spanProcessors, spanLimits: providerSpanLimits })
      : new TracerProvider({ resource, sampler: samplerIgnoringParent(sampler), idGenerator, spanProcessors, spanLimits: providerSpanLimits });
  // ParentBased(TraceIdRatioBased) decides from the trace id and the parent only: instrumentations
  // may start spans bare and add their attributes when the span records (tracedFetch does), and a
  // child of an unsampled parent is never sampled (tracedFetch then needs no span of its own).
  // AlwaysOn, AlwaysOff and TraceIdRatioBased read no attributes either, but may sample a child of
  // an unsampled parent (always_on, traceidratio): they must not claim to follow it.
  declareSamplerIgnoresAttributes(tracerProvider);
  if (sampler.kind === 'parent-based') declareSamplerFollowsParent(tracerProvider);
  // `http_request_duration_ms` is aggregated by @kira/metrics in cells and read from there.
  const histogramCells = new HistogramCellsProducer(resource);
  // Not exported: a MeterProvider without readers, whose instruments record nothing.
  const meterProvider = new MeterProvider({
    resource,
    readers:
      metricsExport === undefined
        ? []
        : [
            new PeriodicExportingMetricReader({
              metricProducers: [histogramCells],
              exporter: queues.wrap(createMetricExporter(metricsExport, metricsExport.protocol === 'http/json'), 'metrics'),
              exportIntervalMillis: settings.metricExportIntervalMillis,
              exportTimeoutMillis: settings.metricExportTimeoutMillis,
            }),
          ],
  });
  // Not exported: no cells either, so @kira/metrics records through the reader-less provider (nothing kept).
  const collectsCells = metricsExport !== undefined && histogramCells.attach(meterProvider, env);
  // The instrumentations' request-duration histograms as cells too (instrumentation-histogram-cells.ts).
  const instrumentationMeterProvider = collectsCells ? meterProviderWithHistogramCells(meterProvider) : meterProvider;
  // Not exported: a LoggerProvider without processors; getLogger() still emits to it (no console lines).
  const loggerProvider = new LoggerProvider({
    resource,
    logRecordLimits,
    processors:
      logsExport === undefined
        ? []
        : [
            new BatchLogRecordProcessor({
              exporter:
                logsExport.protocol === 'http/json'
                  ? queues.wrap(createJsonLogExporter(logsExport), 'logs')
                  : queues.wrapSliced(SlicedProtobufExporter.forLogs(logsExport), 'logs'),
              ...logRecordBatching,
              selfObsMeterProvider: queueFullListener('log records', logRecordBatching.maxQueueSize),
            }),
          ],
  });

  const registered = [
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()),
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: propagators.map((name) => (name === 'tracecontext' ? new TraceContextPropagator() : new W3CBaggagePropagator())) }),
    ),
    trace.setGlobalTracerProvider(tracerProvider),
    metrics.setGlobalMeterProvider(meterProvider),
    logs.setGlobalLoggerProvider(loggerProvider),
  ];
  if (registered.includes(false)) {
    warnOnce(`${MESSAGE_PREFIX} another OpenTelemetry SDK is already registered globally; only instrumentations and this handle use @kira/otel-core's providers`);
  }

  // One at a time: a broken user instrumentation must cost only itself, not the others or the
  // SDK that is already global.
  const disablers: Array<() => void> = [];
  for (const instrumentation of instrumentations) {
    try {
      disablers.push(registerInstrumentations({ instrumentations: [instrumentation], tracerProvider, meterProvider: instrumentationMeterProvider, loggerProvider }));
    } catch (error) {
      warnOnce(
        `${MESSAGE_PREFIX} instrumentation ${String(instrumentation?.instrumentationName)} could not be enabled (${error instanceof Error ? error.message : String(error)}); continuing without it`,
      );
    }
  }
  // A Hono service's otelHono() claims the inbound SERVER span after this start (the app's code
  // runs after --import): the http instrumentation's inbound side then steps aside, so the flag
  // KIRA_HTTP_INBOUND=off is not needed (http-inbound-handoff.ts).
  const httpInstrumentation = instrumentations.find((instrumentation) => instrumentation instanceof HttpInstrumentation);
  const stopHandOff = inboundMayStepAside && !claimedBeforeStart && httpInstrumentation !== undefined ? stepAsideWhenClaimed(httpInstrumentation) : () => {};
  const disableInstrumentations = (): void => {
    stopHandOff();
    for (const disable of disablers) disable();
  };

  state.mode = 'export';
  state.logSampling = options.logSampling === 'trace' ? 'trace' : 'all';

  const forceFlush = async (): Promise<void> => {
    const results = await Promise.allSettled([
      tracerProvider.forceFlush(),
      meterProvider.forceFlush(),
      loggerProvider.forceFlush(),
    ]);
    reportFailures('flush', results);
    await queues.flush();
  };

  let uninstallExitHandlers: () => void = () => {};
  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    shutdownPromise ??= (async () => {
      uninstallExitHandlers();
      // Providers flush their processors and readers before shutting them down.
      const results = await Promise.allSettled([
        tracerProvider.shutdown(),
        meterProvider.shutdown(),
        loggerProvider.shutdown(),
      ]);
      reportFailures('shutdown', results);
      // After the providers' last exports: what the backend cannot take now stays in the spool.
      await queues.close();
      // After the final collection, which still reads the cells.
      histogramCells.stop();
      try {
        disableInstrumentations();
      } catch (error) {
        diag.error(`${MESSAGE_PREFIX} could not disable instrumentations`, error);
      }
    })();
    return shutdownPromise;
  };

  if (options.shutdownOnExit !== false) {
    uninstallExitHandlers = installExitHandlers(shutdown, forceFlush, settings.shutdownTimeoutMillis);
  }

  return Object.freeze({ enabled: true, forceFlush, shutdown });
}

/** The SDK's samplers for the `OTEL_TRACES_SAMPLER` values that ignore the parent's decision. */
function samplerIgnoringParent(choice: Exclude<SamplerChoice, { kind: 'parent-based' }>): Sampler {
  switch (choice.kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(choice.ratio);
  }
}

/**
 * Export failures are reported through `diag`, which prints nothing by default; the standard
 * OTEL_LOG_LEVEL turns it on when someone needs to see why nothing arrives.
 */
function installDiagLogger(env: Env, warnings: string[]): void {
  const raw = env.OTEL_LOG_LEVEL?.trim();
  if (raw === undefined || raw === '') return;
  const level = (DiagLogLevel as unknown as Record<string, DiagLogLevel | undefined>)[raw.toUpperCase()];
  if (level === undefined || typeof level !== 'number') {
    warnings.push(`${MESSAGE_PREFIX} OTEL_LOG_LEVEL="${raw}" is not one of NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL; ignoring it`);
    return;
  }
  diag.setLogger(new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true });
}

function reportFailures(what: string, results: PromiseSettledResult<unknown>[]): void {
  for (const result of results) {
    if (result.status === 'rejected') diag.error(`${MESSAGE_PREFIX} telemetry ${what} failed`, result.reason);
  }
}
