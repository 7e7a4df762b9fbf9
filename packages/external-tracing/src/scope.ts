import { version } from '../package.json';

/** Instrumentation scope of every span and metric this package emits. */
export const SCOPE_NAME = '@kira/external-tracing';
export const SCOPE_VERSION: string = version;
