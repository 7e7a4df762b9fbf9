import { defineOtelCoreSuite } from './testing/define-otel-core-suite';

// `instrumentations.http.inbound: false` (the fast setup of the Performance issue): otelHono owns
// the SERVER span.
defineOtelCoreSuite('middleware');
