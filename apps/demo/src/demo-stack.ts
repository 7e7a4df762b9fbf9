// Starts every part of the demo — collector, redis, provider stand-ins, the service — and stops
// them again, children by PID.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startChild, startRedis, type Child } from '@kira/local-processes';
import { startProviderStandIns, type ProviderStandIns } from './provider-stand-ins';

const require = createRequire(import.meta.url);
const demoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface DemoStackOptions {
  /** Collector port; 0 picks a free one. */
  collectorPort?: number;
  /** Service port; 0 picks a free one. */
  servicePort?: number;
  /** Where the collector keeps its ClickHouse data; default a fresh temporary folder. */
  dataDir?: string;
  /** Metric export period of the service, ms. */
  metricIntervalMs?: number;
  log?: (line: string) => void;
  /** Echo the children's own output (also `KIRA_DEMO_VERBOSE=1`). */
  verbose?: boolean;
  /**
   * Starts the collector with `--token`: the service then sends it as its OTLP bearer token and
   * as its Sentry DSN key (letters, digits and `_` only), and `/query` needs it. Default: none.
   */
  collectorToken?: string;
}

export interface DemoStack {
  collectorUrl: string;
  serviceUrl: string;
  standIns: ProviderStandIns;
  cacheKind: 'redis' | 'memory';
  /** The provider API key the service sends — a planted secret the telemetry must not carry. */
  providerApiKey: string;
  jwtSecret: string;
  /** Stops the service (which flushes its telemetry on SIGTERM); the collector stays up. */
  stopService(): Promise<number | null>;
  stop(): Promise<void>;
}

export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  const log = options.log ?? (() => {});
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
  };
  try {
    const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kira-demo-')));
    if (!options.dataDir) cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    const token = options.collectorToken;
    if (token !== undefined && !/^\w+$/.test(token)) throw new Error('collectorToken must be letters, digits and _ only: it is also the Sentry DSN key');
    const collectorPort = options.collectorPort || (await freePort());
    const collectorCli = join(dirname(require.resolve('@kira/collector/package.json')), 'dist', 'cli.js');
    const collector = startChild('collector', process.execPath, [
      collectorCli,
      '--port',
      String(collectorPort),
      '--data-dir',
      dataDir,
      ...(token === undefined ? [] : ['--token', token]),
    ]);
    cleanups.push(() => collector.stop());
    const [, collectorUrl] = (await collector.waitForLine(/listening on (http:\/\/\S+)/, 60_000)) as unknown as [string, string];
    log(`collector   ${collectorUrl} (data in ${dataDir})`);

    let redisUrl: string | undefined;
    try {
      const redis = await startRedis();
      cleanups.push(() => redis.stop());
      redisUrl = redis.url;
      log(`redis       ${redis.url}`);
    } catch (error) {
      log(`redis       not available (${(error as Error).message.split('\n')[0]}); using an in-memory cache. Install it with: apt-get install -y redis-server`);
    }

    const standIns = await startProviderStandIns();
    cleanups.push(() => standIns.close());
    log(`stand-ins   ${standIns.url} (local stand-ins for BytePlus, fal and OpenAI)`);

    const providerApiKey = `sk-demo-${randomBytes(12).toString('hex')}`;
    const jwtSecret = randomBytes(24).toString('hex');
    const servicePort = options.servicePort || (await freePort());
    const collectorHost = collectorUrl.replace(/^http:\/\//, '');
    const service: Child = startChild('service', process.execPath, ['--import', '@kira/otel-core/register', join(demoRoot, 'dist', 'service.js')], {
      cwd: demoRoot,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        KIRA_TELEMETRY: 'on',
        OTEL_SERVICE_NAME: 'kira-be',
        // The documented Hono setup needs no KIRA_HTTP_INBOUND: creating otelHono() claims the
        // SERVER span and the http instrumentation's inbound side steps aside.
        OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=kira,deployment.environment.name=demo',
        OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        ...(token === undefined ? {} : { OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${token}` }),
        // Sentry DSN keys are \w+ only (a hyphen makes the DSN invalid).
        // The demo keeps every trace so its scenario is deterministic; production keeps 10 %.
        OTEL_TRACES_SAMPLER_ARG: '1',
        OTEL_METRIC_EXPORT_INTERVAL: String(options.metricIntervalMs ?? 2000),
        SENTRY_DSN: `http://${token ?? 'kirabe'}@${collectorHost}/1`,
        SENTRY_ENVIRONMENT: 'demo',
        BROWSER_SENTRY_DSN: `http://${token ?? 'kiraweb'}@${collectorHost}/2`,
        PROVIDER_BASE_URL: standIns.url,
        PROVIDER_API_KEY: providerApiKey,
        JWT_SECRET: jwtSecret,
        REDIS_URL: redisUrl ?? '',
        WEB_DIR: join(demoRoot, 'dist', 'web'),
        PORT: String(servicePort),
      },
    });
    cleanups.push(() => service.stop());
    if (options.verbose ?? process.env.KIRA_DEMO_VERBOSE === '1') {
      for (const [name, child] of [['collector', collector], ['service', service]] as const) {
        child.child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(prefixLines(name, chunk)));
        child.child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(prefixLines(name, chunk)));
      }
    }
    const [, port, cacheKind] = (await service.waitForLine(/"event":"ready","port":(\d+),"cache":"(\w+)"/, 90_000)) as unknown as [string, string, 'redis' | 'memory'];
    const serviceUrl = `http://127.0.0.1:${port}`;
    log(`service     ${serviceUrl} (kira-be, cache: ${cacheKind})`);

    return {
      collectorUrl,
      serviceUrl,
      standIns,
      cacheKind,
      providerApiKey,
      jwtSecret,
      stopService: async () => (await service.stop()).code,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function prefixLines(name: string, chunk: Buffer): string {
  return chunk
    .toString()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `[${name}] ${line}\n`)
    .join('');
}
