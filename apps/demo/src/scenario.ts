// The fixed scenario of `pnpm demo --once` and the steady traffic of `pnpm demo`.
import { createImgproxySimulator, type ImgproxyPhaseName } from './imgproxy-simulator';

/** Secrets the scenario plants in requests; none may appear in any stored row. */
export const PLANTED = {
  toolApiKey: 'sk-live-PLANTED-tool-input-key-0001',
  password: 'PLANTED-hunter2-password',
  base64Image: `data:image/png;base64,${'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII'.repeat(40)}=`,
  /** The password a user protects a shared image with (tool input, then a log attribute). */
  sharePassword: 'PLANTED-share-password-0006',
  /** A JWT pasted into free text (a prompt). */
  jwtInText: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJQTEFOVEVELWZyZWUtdGV4dCJ9.PLANTED-free-text-jwt-signature-0007',
};

export interface Client {
  login(userId: string, email: string): Promise<string>;
  call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

export function createClient(serviceUrl: string): Client {
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${serviceUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed };
  };
  return {
    call,
    async login(userId, email) {
      const { status, body } = await call('POST', '/auth/login', undefined, { userId, email });
      if (status !== 200) throw new Error(`login of ${userId} failed with ${status}`);
      return (body as { token: string }).token;
    },
  };
}

export interface ScenarioReport {
  requests: number;
  statuses: Record<string, number>;
  /** The JWT of the user whose tool failure goes to Sentry. */
  failingUser: string;
  imgproxy: { calm: { start: Date; end: Date }; overload: { start: Date; end: Date } };
}

/**
 * Every route once or more, a tool failure with planted secrets (→ Sentry), a shared image with a
 * password and a JWT in its prompt (recorded tool input, result and log), a provider 429, an
 * unhandled 500, an unmatched 404; then twenty simulated minutes of imgproxy: ten calm, ten in
 * overload, stamped in the past so the alerts' duration rules see whole minutes.
 */
export async function runFixedScenario(serviceUrl: string, collectorUrl: string, now = new Date()): Promise<ScenarioReport> {
  const client = createClient(serviceUrl);
  const statuses: Record<string, number> = {};
  let requests = 0;
  const record = async (promise: Promise<{ status: number }>) => {
    const { status } = await promise;
    requests += 1;
    statuses[status] = (statuses[status] ?? 0) + 1;
    return status;
  };

  const alice = await client.login('user-alice', 'alice@example.com');
  const bob = await client.login('user-bob', 'bob@example.com');
  requests += 2;
  statuses[200] = (statuses[200] ?? 0) + 2;

  await record(client.call('GET', '/health'));
  for (const id of ['1', '1', '2']) await record(client.call('GET', `/api/users/${id}`, alice));
  // Interleaved users: each request's Sentry scope must keep its own user.
  await Promise.all([
    ...[1, 2, 3].map((n) => record(client.call('POST', '/api/tools/generate-image', alice, { prompt: `a cat #${n}`, threadId: 'thread-a' }))),
    ...[1, 2, 3].map((n) => record(client.call('POST', '/api/tools/edit-image', bob, { prompt: `sharpen #${n}`, threadId: 'thread-b' }))),
  ]);
  for (const n of [1, 2]) await record(client.call('POST', '/api/tools/describe-image', alice, { prompt: `describe #${n}`, threadId: 'thread-a' }));
  await record(
    client.call('POST', '/api/tools/edit-image', bob, {
      prompt: 'make it pop',
      threadId: 'thread-b',
      failWith: 500,
      image: PLANTED.base64Image,
      apiKey: PLANTED.toolApiKey,
      password: PLANTED.password,
    }),
  );
  await record(
    client.call('POST', '/api/tools/share-image', alice, {
      prompt: `share it, my old token was ${PLANTED.jwtInText}`,
      threadId: 'thread-a',
      audience: 'friends',
      password: PLANTED.sharePassword,
    }),
  );
  await record(client.call('POST', '/api/tools/generate-image', alice, { prompt: 'too fast', failWith: 429, threadId: 'thread-a' }));
  await record(client.call('GET', '/api/boom', alice));
  await record(client.call('GET', '/no/such/route'));
  await record(client.call('GET', '/api/users/3'));

  const minute = 60_000;
  const start = new Date(Math.floor(now.getTime() / minute) * minute - 20 * minute);
  const simulator = createImgproxySimulator({ endpoint: collectorUrl });
  const phaseAt = (index: number): ImgproxyPhaseName => (index < 20 ? 'calm' : 'overload');
  // Two samples a minute for twenty minutes.
  for (let index = 0; index < 40; index += 1) {
    await simulator.emit(new Date(start.getTime() + index * 30_000), phaseAt(index), index);
  }
  await simulator.shutdown();

  return {
    requests,
    statuses,
    failingUser: 'user-bob',
    imgproxy: {
      calm: { start, end: new Date(start.getTime() + 10 * minute) },
      overload: { start: new Date(start.getTime() + 10 * minute), end: new Date(start.getTime() + 20 * minute) },
    },
  };
}

export interface TrafficHandle {
  readonly sent: number;
  readonly failed: number;
  stop(): Promise<void>;
}

/** Steady traffic for `pnpm demo`: a few requests a second over every route, some failing. */
export async function startTraffic(serviceUrl: string, requestsPerSecond = 5): Promise<TrafficHandle> {
  const client = createClient(serviceUrl);
  const users = await Promise.all(
    ['alice', 'bob', 'carol'].map(async (name) => ({ name, token: await client.login(`user-${name}`, `${name}@example.com`) })),
  );
  let sent = 0;
  let failed = 0;
  let tick = 0;
  const inFlight = new Set<Promise<unknown>>();
  const timer = setInterval(() => {
    tick += 1;
    const user = users[tick % users.length]!;
    const roll = tick % 20;
    const request =
      roll < 6 ? client.call('GET', `/api/users/${tick % 7}`, user.token)
      : roll < 11 ? client.call('POST', '/api/tools/generate-image', user.token, { prompt: `steady ${tick}`, threadId: `t-${user.name}` })
      : roll < 15 ? client.call('POST', '/api/tools/edit-image', user.token, { prompt: `steady ${tick}`, threadId: `t-${user.name}`, ...(tick % 40 === 13 ? { failWith: 500 } : {}) })
      : roll < 18 ? client.call('POST', '/api/tools/describe-image', user.token, { prompt: `steady ${tick}` })
      : roll < 19 ? client.call('GET', '/health')
      : client.call('GET', `/unknown/${tick}`);
    const tracked = request.then(
      ({ status }) => {
        sent += 1;
        if (status >= 500) failed += 1;
      },
      () => {
        sent += 1;
        failed += 1;
      },
    );
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  }, 1000 / requestsPerSecond);
  return {
    get sent() {
      return sent;
    },
    get failed() {
      return failed;
    },
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
