import { defineOtelCoreSuite } from './testing/define-otel-core-suite';

// otel-core's defaults (inbound side on and already patched) and otelHono() without options: the
// middleware claims the SERVER span, so each request still gets exactly one, opened by otelHono.
defineOtelCoreSuite('default');
