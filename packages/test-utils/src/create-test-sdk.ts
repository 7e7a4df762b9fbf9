import { context, logs, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { TestSdk, TestSdkOptions } from './types';

// A pull-only reader: tests decide when to collect, nothing exports in the background.
class OnDemandMetricReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** Real OpenTelemetry SDK providers with in-memory exporters, optionally registered as the globals. */
export function createTestSdk(options: TestSdkOptions = {}): TestSdk {
  const resource = resourceFromAttributes({ 'service.name': 'kira-test', ...options.resourceAttributes });
  const spanExporter = new InMemorySpanExporter();
  const logExporter = new InMemoryLogRecordExporter();
  const metricReader = new OnDemandMetricReader();

  const tracerProvider = new TracerProvider({
    resource,
    sampler: options.sampler ?? new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })],
  });
  const meterProvider = new MeterProvider({ resource, readers: [metricReader] });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new SimpleLogRecordProcessor({ exporter: logExporter })],
  });

  const registerGlobal = options.registerGlobal ?? true;
  let contextManager: AsyncLocalStorageContextManager | undefined;
  if (registerGlobal) {
    // A previous test that forgot shutdown() would make every setGlobal* a silent no-op.
    disableGlobals();
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
    logs.setGlobalLoggerProvider(loggerProvider);
  }

  const collectMetrics = async (): Promise<MetricData[]> => {
    const { resourceMetrics } = await metricReader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  };

  let shutDown = false;
  return {
    tracerProvider,
    meterProvider,
    loggerProvider,
    spans: () => spanExporter.getFinishedSpans().slice(),
    spanByName: (name) => spanExporter.getFinishedSpans().find((span) => span.name === name),
    logs: () => logExporter.getFinishedLogRecords().slice(),
    collectMetrics,
    metric: async (name) => (await collectMetrics()).find((metric) => metric.descriptor.name === name),
    reset: () => {
      spanExporter.reset();
      logExporter.reset();
    },
    shutdown: async () => {
      if (shutDown) return;
      shutDown = true;
      if (registerGlobal) {
        disableGlobals();
        contextManager?.disable();
      }
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}

function disableGlobals(): void {
  trace.disable();
  metrics.disable();
  logs.disable();
  propagation.disable();
  context.disable();
}
