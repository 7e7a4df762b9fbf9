import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts', 'src/service.ts'],
  format: ['esm'],
  // Types for the library entry only: the reliability tests reuse the demo stack through it.
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node22',
  // Workspace packages stay external so the service loads the same @opentelemetry/api copy
  // as @kira/otel-core/register.
  external: [/^@kira\//, /^@opentelemetry\//, /^@sentry\//, 'hono', 'ioredis'],
});
