// `pnpm demo` — the whole system on one machine: collector, redis, provider stand-ins, the demo
// service, the imgproxy simulator and steady traffic, until Ctrl-C.
// `pnpm demo --once` — a fixed scenario, then a summary table, then exit.
import { parseArgs } from 'node:util';
import { startDemoStack, type DemoStack } from './demo-stack';
import { createImgproxySimulator } from './imgproxy-simulator';
import { runFixedScenario, startTraffic } from './scenario';
import { formatSummary, summarize } from './summary';

const USAGE = `usage: pnpm demo [--once] [--port 4318] [--service-port 3000]
  --once              run the fixed scenario, print a summary and exit
  --port N            collector port (default 4318; 0 = any free port)
  --service-port N    demo service port (default 3000; 0 = any free port)`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      // `pnpm demo -- --once` forwards a literal `--`; options after it are still options here.
      args: process.argv.slice(2).filter((argument) => argument !== '--'),
      options: {
        once: { type: 'boolean', default: false },
        port: { type: 'string', default: undefined },
        'service-port': { type: 'string', default: undefined },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const once = values.once;
  const log = (line: string) => console.log(`[demo] ${line}`);
  const stack = await startDemoStack({
    collectorPort: Number(values.port ?? (once ? 0 : 4318)),
    servicePort: Number(values['service-port'] ?? (once ? 0 : 3000)),
    metricIntervalMs: once ? 1000 : 5000,
    log,
  });
  return once ? runOnce(stack, log) : runForever(stack, log);
}

async function runOnce(stack: DemoStack, log: (line: string) => void): Promise<number> {
  const started = new Date(Date.now() - 25 * 60_000);
  try {
    log('running the fixed scenario …');
    const report = await runFixedScenario(stack.serviceUrl, stack.collectorUrl);
    log(`${report.requests} requests sent (${Object.entries(report.statuses).map(([status, n]) => `${n}×${status}`).join(', ')})`);
    // SIGTERM makes otel-core flush every pending span, log and metric before the service exits.
    await stack.stopService();
    const summary = await summarize(stack.collectorUrl, { start: started, end: new Date(Date.now() + 60_000) });
    console.log(`\n${formatSummary(summary)}\n`);
    return summary.spans > 0 && summary.metricRows > 0 ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

async function runForever(stack: DemoStack, log: (line: string) => void): Promise<number> {
  // Installed before "Ctrl-C stops everything" is printed, and never removed: Ctrl-C can arrive
  // twice (from the terminal and forwarded by pnpm), and a second one must not kill the stop.
  const stopRequested = new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  const traffic = await startTraffic(stack.serviceUrl);
  const simulator = createImgproxySimulator({ endpoint: stack.collectorUrl });
  // The simulator cycles 6 calm minutes and 8 overloaded ones, so the 5-minute alerts fire and recover.
  const cycleMs = 14 * 60_000;
  const startedAt = Date.now();
  let tick = 0;
  const emit = () => {
    const phase = (Date.now() - startedAt) % cycleMs < 6 * 60_000 ? 'calm' : 'overload';
    simulator.emit(new Date(), phase, tick++).catch((error: unknown) => log(`imgproxy simulator: ${(error as Error).message}`));
    return phase;
  };
  let phase = emit();
  const simulatorTimer = setInterval(() => (phase = emit()), 10_000);

  log(`dashboard   ${stack.collectorUrl}/   ← open this`);
  log(`web app     ${stack.serviceUrl}/`);
  log('Ctrl-C stops everything');
  const interactive = process.stdout.isTTY;
  const progress = setInterval(() => {
    const line = `[demo] ${Math.round((Date.now() - startedAt) / 1000)}s  requests ${traffic.sent} (5xx ${traffic.failed})  imgproxy ${phase}`;
    if (interactive) process.stdout.write(`\r${line}   `);
    else console.log(line);
  }, interactive ? 1000 : 15_000);

  await stopRequested;
  console.log('\n[demo] stopping …');
  clearInterval(progress);
  clearInterval(simulatorTimer);
  await traffic.stop();
  await simulator.shutdown().catch(() => {});
  await stack.stop();
  log('stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[demo] failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
