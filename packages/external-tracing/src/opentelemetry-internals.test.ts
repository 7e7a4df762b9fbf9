import { ROOT_CONTEXT } from '@opentelemetry/api';
import * as core from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { SUPPRESS_TRACING_KEY_DESCRIPTION, suppressTracing } from './opentelemetry-internals';

describe('OpenTelemetry internals this package relies on (against the installed @opentelemetry/core)', () => {
  it(`@opentelemetry/core still suppresses tracing under the context key "${SUPPRESS_TRACING_KEY_DESCRIPTION}"`, () => {
    const ours = suppressTracing(ROOT_CONTEXT);
    const recognised = core.isTracingSuppressed(ours);
    const coreUsesOurKey = core.suppressTracing(ROOT_CONTEXT).getValue(Symbol.for(SUPPRESS_TRACING_KEY_DESCRIPTION)) === true;
    if (!recognised || !coreUsesOurKey) {
      throw new Error(
        `@opentelemetry/core no longer uses the context key "${SUPPRESS_TRACING_KEY_DESCRIPTION}" for suppressTracing: ` +
          'tracedFetch({ propagateContext: false }) would send trace headers again; update src/opentelemetry-internals.ts',
      );
    }
    expect(core.isTracingSuppressed(ROOT_CONTEXT)).toBe(false);
  });
});
