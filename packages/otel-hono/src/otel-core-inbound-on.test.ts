import { defineOtelCoreSuite } from './testing/define-otel-core-suite';

// The inbound side kept on by choice (`inbound: true`, the option form of KIRA_HTTP_INBOUND=on): otelHono()
// claims the SERVER span, but the instrumentation keeps it and otelHono names it.
defineOtelCoreSuite('inbound-on');
