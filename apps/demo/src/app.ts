// A kira-be-like Hono service: JWT auth, then the Sentry user middleware, AI tool routes run
// through traceAITool (inputs and results recorded), provider calls through tracedFetch (and one
// plain fetch), Redis for a cache and a rate limit.
import { randomBytes } from 'node:crypto';
import { ExternalService, tracedFetch } from '@kira/external-tracing';
import { traceAITool } from '@kira/metrics';
import { getLogger } from '@kira/otel-core';
import { otelHono } from '@kira/otel-hono';
import { captureToolError } from '@kira/sentry';
import { sentryRouteErrors, sentryUser } from '@kira/sentry/hono';
import * as Sentry from '@sentry/node';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { jwt, sign } from 'hono/jwt';
import type { DemoCache } from './cache';

export interface DemoAppOptions {
  /** Base URL of the provider stand-ins (or real providers). */
  providerBaseUrl: string;
  /** The API key sent to providers — a secret the telemetry must never carry. */
  providerApiKey: string;
  jwtSecret: string;
  cache: DemoCache;
  /** Requests per user per minute on the tool routes. */
  rateLimitPerMinute?: number;
  /** Static files of the React page: path → { body, type }. */
  webAssets?: Map<string, { body: Buffer; type: string }>;
  /** DSN the React page reports to (the browser's own Sentry client). */
  browserSentryDsn?: string;
}

interface ToolRequest {
  prompt?: string;
  image?: string;
  threadId?: string;
  /** Forces the provider stand-in to answer with this status (demo and tests). */
  failWith?: number;
  /** share-image: who may open the link, and the password that protects it. */
  audience?: string;
  password?: string;
  [key: string]: unknown;
}

const log = getLogger('kira-demo');

export function createDemoApp(options: DemoAppOptions) {
  const { providerBaseUrl, providerApiKey, cache } = options;
  const app = new Hono<{ Variables: { jwtPayload: { sub: string; email?: string } } }>();
  const auth = jwt({ secret: options.jwtSecret, alg: 'HS256' });

  // The documented order: the SERVER span first, so route errors reach Sentry inside it.
  app.use(otelHono(), sentryRouteErrors());

  app.get('/health', (c) => c.json({ ok: true, cache: cache.kind }));

  app.post('/auth/login', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { userId?: string; email?: string };
    if (!body.userId) throw new HTTPException(400, { message: 'userId is required' });
    const token = await sign(
      { sub: body.userId, email: body.email, exp: Math.floor(Date.now() / 1000) + 3600 },
      options.jwtSecret,
      'HS256',
    );
    log.info('user logged in', { 'user.id': body.userId });
    return c.json({ token });
  });

  const api = new Hono<{ Variables: { jwtPayload: { sub: string; email?: string } } }>();
  api.use(auth, sentryUser());

  api.use('/tools/*', async (c, next) => {
    const limit = options.rateLimitPerMinute ?? 600;
    const count = await cache.hit(`ratelimit:${c.get('jwtPayload').sub}:${Math.floor(Date.now() / 60_000)}`, 60);
    if (count > limit) {
      log.warn('rate limit exceeded', { 'user.id': c.get('jwtPayload').sub, limit });
      return c.json({ error: 'rate limit exceeded' }, 429);
    }
    await next();
  });

  api.get('/users/:id', async (c) => {
    const id = c.req.param('id');
    const cached = await cache.get(`user:${id}`);
    if (cached) return c.json({ ...JSON.parse(cached), cached: true });
    const user = { id, nickname: `user-${id}`, plan: 'pro' };
    await cache.set(`user:${id}`, JSON.stringify(user), 60);
    return c.json({ ...user, cached: false });
  });

  type ToolContext = { get(key: 'jwtPayload'): { sub: string }; req: { path: string; header(name: string): string | undefined } };

  /**
   * Runs one AI tool: span + metrics + log via traceAITool, with the input and the result recorded
   * for debugging (@kira/metrics sanitizes both); failures go to Sentry with the input as an extra
   * and the request as a context (@kira/sentry scrubs both).
   */
  const runTool = async <T>(c: ToolContext, toolName: string, input: ToolRequest, call: () => Promise<T>): Promise<T> => {
    const userId = c.get('jwtPayload').sub;
    const threadId = input.threadId ?? 'thread-default';
    try {
      return await traceAITool(toolName, { userId, threadId, recordInput: true, input, recordOutput: true }, call);
    } catch (error) {
      Sentry.withScope((scope) => {
        // What a developer reaches for when a tool fails: the request as the route saw it.
        scope.setContext('tool_request', { path: c.req.path, threadId, authorization: c.req.header('authorization') ?? null });
        captureToolError(error, { toolName, input });
      });
      log.error(`AI tool failed: ${toolName}`, { 'ai.tool.name': toolName, 'user.id': userId, 'error.type': (error as Error).name });
      throw new HTTPException(502, { message: `${toolName} failed: ${(error as Error).message}`, cause: error });
    }
  };

  const providerCall = async (path: string, operation: string, service: string, input: ToolRequest, init: RequestInit = {}) => {
    const response = await tracedFetch(`${providerBaseUrl}${path}`, {
      method: 'POST',
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${providerApiKey}`,
        'x-kira-client': 'kira-be-demo',
        ...(input.failWith ? { 'x-stand-in-status': String(input.failWith) } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
      body: JSON.stringify({ prompt: input.prompt }),
    }, { service, operation, recordHeaders: ['x-kira-client'] });
    if (!response.ok) throw new ProviderError(service, response.status, await response.text());
    return response;
  };

  api.post('/tools/generate-image', async (c) => {
    const input = (await c.req.json().catch(() => ({}))) as ToolRequest;
    const result = await runTool(c, 'generateImageWithAI', input, async () => {
      // fal takes the key in the query string — exactly the form url redaction must catch.
      const response = await providerCall(`/fal/fal-ai/flux/dev?key=${encodeURIComponent(providerApiKey)}`, 'flux_dev', ExternalService.FAL, input);
      return (await response.json()) as unknown;
    });
    return c.json(result as object);
  });

  api.post('/tools/edit-image', async (c) => {
    const input = (await c.req.json().catch(() => ({}))) as ToolRequest;
    const result = await runTool(c, 'editImage', input, async () => {
      const response = await providerCall('/byteplus/api/v3/images/generations', 'seedream_edit', ExternalService.BYTEPLUS, input);
      const body = (await response.json()) as { data: Array<{ size: string }> };
      return { images: body.data.length, size: body.data[0]?.size };
    });
    return c.json(result as object);
  });

  api.post('/tools/describe-image', async (c) => {
    const input = (await c.req.json().catch(() => ({}))) as ToolRequest;
    const text = await runTool(c, 'describeImage', input, async () => {
      const response = await tracedFetch(`${providerBaseUrl}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${providerApiKey}` },
        body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: input.prompt }] }),
      }, { service: ExternalService.OPENAI, operation: 'chat_completions', endSpanOn: 'body' });
      if (!response.ok) throw new ProviderError('openai', response.status, await response.text());
      const raw = await response.text();
      return raw
        .split('\n')
        .filter((line) => line.startsWith('data: {'))
        .map((line) => (JSON.parse(line.slice(6)) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content)
        .join('');
    });
    return c.json({ text });
  });

  api.post('/tools/share-image', async (c) => {
    const input = (await c.req.json().catch(() => ({}))) as ToolRequest;
    const share = await runTool(c, 'shareImage', input, async () => {
      // The share card's thumbnail. Not every call site uses tracedFetch: this plain fetch is traced
      // by otel-core's undici instrumentation alone, and fal's key in the query is redacted there.
      const thumbnail = await fetch(`${providerBaseUrl}/fal/fal-ai/flux/dev?key=${encodeURIComponent(providerApiKey)}&source=share-card`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: input.prompt, image_size: 'square' }),
      });
      if (!thumbnail.ok) throw new ProviderError('fal', thumbnail.status, await thumbnail.text());
      const { images } = (await thumbnail.json()) as { images: Array<{ url: string }> };
      const shareId = randomBytes(6).toString('hex');
      return {
        shareUrl: `https://kira.example/s/${shareId}`,
        thumbnailUrl: images[0]?.url,
        accessToken: randomBytes(16).toString('hex'),
        expiresInSeconds: 3600,
      };
    });
    // A log call as services write them: the outcome as an object, the request's fields as attributes.
    log.info(
      { event: 'image_shared', shareUrl: share.shareUrl, accessToken: share.accessToken },
      { 'user.id': c.get('jwtPayload').sub, 'share.audience': input.audience ?? 'private', 'share.password': input.password ?? '' },
    );
    return c.json(share);
  });

  api.get('/boom', () => {
    throw new Error('boom: an unhandled error in a route');
  });

  app.route('/api', api);

  // The React page (built by Vite) and its runtime config.
  app.get('/config.json', (c) => c.json({ sentryDsn: options.browserSentryDsn ?? null }));
  // Only the page and its built assets: a catch-all route would give every scanner's 404 a route.
  const serveAsset = (path: string) => {
    const asset = options.webAssets?.get(path);
    return asset ? new Response(new Uint8Array(asset.body), { headers: { 'content-type': asset.type } }) : undefined;
  };
  app.get('/', (c) => serveAsset('/index.html') ?? c.notFound());
  app.get('/assets/:file', (c) => serveAsset(`/assets/${c.req.param('file')}`) ?? c.notFound());

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    log.error('unhandled error', { 'error.type': error.name, 'http.route': c.req.routePath });
    return c.json({ error: 'internal error' }, 500);
  });

  return app;
}

export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly service: string,
    readonly status: number,
    body: string,
  ) {
    super(`${service} answered ${status}: ${body.slice(0, 200)}`);
  }
}
