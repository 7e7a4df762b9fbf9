import { version } from '../package.json';

/** Instrumentation scope of every span, metric and log record this package emits. */
export const SCOPE_NAME = '@kira/metrics';
export const SCOPE_VERSION: string = version;
