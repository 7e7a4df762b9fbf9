import { Hono, type MiddlewareHandler } from 'hono';

/**
 * The application every Hono setup serves: one parameterised JSON route (what most of kira-be
 * looks like), so the only difference between setups is the telemetry around it.
 */
export function createBenchApp(middleware: MiddlewareHandler[] = []): Hono {
  const app = new Hono();
  for (const handler of middleware) app.use(handler);
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), name: 'bench' }));
  app.get('/health', (c) => c.text('ok'));
  return app;
}

/**
 * The empty async middleware, `async (c, next) => { await next(); }`: the baseline of what any
 * middleware costs (Hono then leaves its synchronous fast path). `bare-middleware` under load and
 * the in-process `hono-middleware` case both run this one.
 */
export const emptyMiddleware: MiddlewareHandler = async (_c, next) => {
  await next();
};

/** Paths the load generator requests (a few ids so the route, not the path, is what repeats). */
export const BENCH_PATH = '/users/42';
