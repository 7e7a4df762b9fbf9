import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts', 'src/service.ts'],
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // Workspace packages stay external so the service loads the same @opentelemetry/api copy
  // as @kira/otel-core/register.
  external: [/^@kira\//, /^@opentelemetry\//, /^@sentry\//, 'hono', 'ioredis'],
});
