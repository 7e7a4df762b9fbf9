import type { ResolvedCollectorOptions, Store } from './types';

export type { QueryRange, QueryResult, RecordTable, ResolvedCollectorOptions, Store } from './types';

/** What every request handler gets: the store and the collector's resolved options. */
export interface CollectorContext {
  store: Store;
  options: ResolvedCollectorOptions;
}
