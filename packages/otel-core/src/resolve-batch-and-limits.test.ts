import { describe, expect, it } from 'vitest';
import { type BatchAndLimits, resolveBatchAndLimits } from './resolve-batch-and-limits';

const resolve = (env: Record<string, string>) => {
  const warnings: string[] = [];
  return { ...resolveBatchAndLimits(env, warnings), warnings };
};

describe('resolveBatchAndLimits', () => {
  it("defaults to the specification's values when nothing is set", () => {
    expect(resolve({})).toEqual({
      spanBatching: { scheduledDelayMillis: 5000, exportTimeoutMillis: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 },
      logRecordBatching: { scheduledDelayMillis: 1000, exportTimeoutMillis: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 },
      spanLimits: {
        attributeValueLengthLimit: Number.POSITIVE_INFINITY,
        attributeCountLimit: 128,
        eventCountLimit: 128,
        linkCountLimit: 128,
        attributePerEventCountLimit: 128,
        attributePerLinkCountLimit: 128,
      },
      logRecordLimits: { attributeValueLengthLimit: Number.POSITIVE_INFINITY, attributeCountLimit: 128 },
      warnings: [],
    });
  });

  it.each([
    ['OTEL_BSP_SCHEDULE_DELAY', 'spanBatching', 'scheduledDelayMillis', 250],
    ['OTEL_BSP_EXPORT_TIMEOUT', 'spanBatching', 'exportTimeoutMillis', 7000],
    ['OTEL_BSP_MAX_QUEUE_SIZE', 'spanBatching', 'maxQueueSize', 4096],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'spanBatching', 'maxExportBatchSize', 100],
    ['OTEL_BLRP_SCHEDULE_DELAY', 'logRecordBatching', 'scheduledDelayMillis', 250],
    ['OTEL_BLRP_EXPORT_TIMEOUT', 'logRecordBatching', 'exportTimeoutMillis', 7000],
    ['OTEL_BLRP_MAX_QUEUE_SIZE', 'logRecordBatching', 'maxQueueSize', 4096],
    ['OTEL_BLRP_MAX_EXPORT_BATCH_SIZE', 'logRecordBatching', 'maxExportBatchSize', 100],
    ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'spanLimits', 'attributeValueLengthLimit', 64],
    ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'spanLimits', 'attributeCountLimit', 16],
    ['OTEL_SPAN_EVENT_COUNT_LIMIT', 'spanLimits', 'eventCountLimit', 8],
    ['OTEL_SPAN_LINK_COUNT_LIMIT', 'spanLimits', 'linkCountLimit', 4],
    ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', 'spanLimits', 'attributePerEventCountLimit', 3],
    ['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', 'spanLimits', 'attributePerLinkCountLimit', 2],
    ['OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'logRecordLimits', 'attributeValueLengthLimit', 64],
    ['OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT', 'logRecordLimits', 'attributeCountLimit', 16],
  ] as const)('%s sets %s.%s, and nothing else', (name, group, key, value) => {
    const resolved = resolve({ [name]: ` ${value} ` });
    expect(resolved.warnings).toEqual([]);
    expect((resolved[group] as Record<string, number>)[key]).toBe(value);
    // Every other field keeps its default.
    const defaults: BatchAndLimits = resolve({});
    (defaults[group] as Record<string, number>)[key] = value;
    expect({ ...resolved, warnings: undefined }).toEqual({ ...defaults, warnings: undefined });
  });

  it('a count limit of 0 is valid (no attributes kept); a value length limit of 0 is not (the SDK would ignore it)', () => {
    const { spanLimits, logRecordLimits, warnings } = resolve({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '0', OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT: '0' });
    expect(warnings).toEqual(['@kira/otel-core: OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT="0" is not a positive integer; using no limit']);
    expect(spanLimits.attributeCountLimit).toBe(0);
    expect(logRecordLimits.attributeValueLengthLimit).toBe(Number.POSITIVE_INFINITY);
  });

  it('empty and blank values count as unset, without a warning', () => {
    expect(resolve({ OTEL_BSP_SCHEDULE_DELAY: '', OTEL_BLRP_MAX_QUEUE_SIZE: '   ', OTEL_ATTRIBUTE_COUNT_LIMIT: '' })).toEqual(resolve({}));
    expect(resolve({ OTEL_BSP_SCHEDULE_DELAY: '' }).warnings).toEqual([]);
  });

  it.each([
    ['OTEL_BSP_SCHEDULE_DELAY', '0', 'a positive whole number of milliseconds', '5000'],
    ['OTEL_BSP_EXPORT_TIMEOUT', '-1', 'a positive whole number of milliseconds', '30000'],
    ['OTEL_BLRP_SCHEDULE_DELAY', '1.5', 'a positive whole number of milliseconds', '1000'],
    ['OTEL_BLRP_EXPORT_TIMEOUT', '5s', 'a positive whole number of milliseconds', '30000'],
    ['OTEL_BSP_MAX_QUEUE_SIZE', '0', 'a positive integer', '2048'],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'lots', 'a positive integer', '512'],
    ['OTEL_BLRP_MAX_QUEUE_SIZE', '-2048', 'a positive integer', '2048'],
    ['OTEL_BLRP_MAX_EXPORT_BATCH_SIZE', '10.5', 'a positive integer', '512'],
    ['OTEL_ATTRIBUTE_COUNT_LIMIT', '-1', 'a non-negative integer', '128'],
    ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'short', 'a positive integer', 'no limit'],
    ['OTEL_SPAN_EVENT_COUNT_LIMIT', '2.5', 'a non-negative integer', '128'],
    ['OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'Infinity', 'a positive integer', 'no limit'],
  ])('%s=%s warns once naming it and uses the default', (name, value, expected, fallback) => {
    const resolved = resolve({ [name]: value });
    expect(resolved.warnings).toEqual([`@kira/otel-core: ${name}="${value}" is not ${expected}; using ${fallback}`]);
    expect({ ...resolved, warnings: [] }).toEqual(resolve({}));
  });

  it('clamps a batch size set above the queue size to the queue size, with a warning', () => {
    const { spanBatching, logRecordBatching, warnings } = resolve({
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '400',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '4096',
    });
    expect(spanBatching).toMatchObject({ maxQueueSize: 100, maxExportBatchSize: 100 });
    expect(logRecordBatching).toMatchObject({ maxQueueSize: 2048, maxExportBatchSize: 2048 });
    expect(warnings).toEqual([
      '@kira/otel-core: OTEL_BSP_MAX_EXPORT_BATCH_SIZE="400" is greater than the queue size (100, OTEL_BSP_MAX_QUEUE_SIZE); using 100',
      '@kira/otel-core: OTEL_BLRP_MAX_EXPORT_BATCH_SIZE="4096" is greater than the queue size (2048, OTEL_BLRP_MAX_QUEUE_SIZE); using 2048',
    ]);
  });

  it('lowers the default batch size under a smaller queue without a warning', () => {
    const { spanBatching, warnings } = resolve({ OTEL_BSP_MAX_QUEUE_SIZE: '100' });
    expect(spanBatching).toMatchObject({ maxQueueSize: 100, maxExportBatchSize: 100 });
    expect(warnings).toEqual([]);
  });

  it('the general OTEL_ATTRIBUTE_* limits apply to spans and log records alike', () => {
    const { spanLimits, logRecordLimits } = resolve({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '200', OTEL_ATTRIBUTE_COUNT_LIMIT: '20' });
    expect(spanLimits).toMatchObject({ attributeValueLengthLimit: 200, attributeCountLimit: 20 });
    expect(logRecordLimits).toEqual({ attributeValueLengthLimit: 200, attributeCountLimit: 20 });
  });

  it('OTEL_SPAN_ATTRIBUTE_* and OTEL_LOGRECORD_ATTRIBUTE_* win over OTEL_ATTRIBUTE_*, each for its own signal', () => {
    const { spanLimits, logRecordLimits } = resolve({
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '200',
      OTEL_ATTRIBUTE_COUNT_LIMIT: '20',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '300',
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '10',
      OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '5',
    });
    expect(spanLimits).toMatchObject({ attributeValueLengthLimit: 300, attributeCountLimit: 10 });
    expect(logRecordLimits).toEqual({ attributeValueLengthLimit: 200, attributeCountLimit: 5 });
  });

  it('an invalid span or log record limit falls back to the general limit, and says so', () => {
    const { spanLimits, logRecordLimits, warnings } = resolve({
      OTEL_ATTRIBUTE_COUNT_LIMIT: '20',
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'many',
      OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '-3',
    });
    expect(spanLimits.attributeCountLimit).toBe(20);
    expect(logRecordLimits.attributeCountLimit).toBe(20);
    expect(warnings).toEqual([
      '@kira/otel-core: OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="many" is not a non-negative integer; using 20',
      '@kira/otel-core: OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT="-3" is not a non-negative integer; using 20',
    ]);
  });

  it('the per-event and per-link attribute counts do not follow OTEL_ATTRIBUTE_COUNT_LIMIT (no general fallback in the spec)', () => {
    const { spanLimits } = resolve({ OTEL_ATTRIBUTE_COUNT_LIMIT: '20' });
    expect(spanLimits).toMatchObject({ attributePerEventCountLimit: 128, attributePerLinkCountLimit: 128, eventCountLimit: 128, linkCountLimit: 128 });
  });
});
