/** The process environment, or `undefined` where there is none (a browser bundle of `@kira/sentry/react`). */
export function processEnv(): Record<string, string | undefined> | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
}
