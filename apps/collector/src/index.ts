export { startCollector, resolveCollectorOptions } from './start-collector';
export { createStore, QueryFailedError, QueryRefusedError, StoreBusyError } from './store';
export type { StoreOptions } from './store';
export { checkReadOnlyQuery } from './read-only-query';
export { parseFault, formatFault } from './fault';
export { parseCliArgs, parseDuration, parseSize } from './parse-cli-args';
export type { CollectorContext } from './context';
export type {
  Collector,
  CollectorOptions,
  FaultSpec,
  MetricInsertResult,
  QueryRange,
  QueryResult,
  RecordTable,
  ResolvedCollectorOptions,
  Store,
} from './types';
