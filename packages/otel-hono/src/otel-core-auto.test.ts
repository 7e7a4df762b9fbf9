import { defineOtelCoreSuite } from './testing/define-otel-core-suite';

// The http instrumentation's inbound side is on: it owns the SERVER span, otelHono names it.
defineOtelCoreSuite('auto');
