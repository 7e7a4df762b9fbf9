#!/usr/bin/env node
import { parseCliArgs, USAGE } from './parse-cli-args';
import { isLoopbackHost, resolveCollectorOptions, startCollector } from './start-collector';
import { formatFault } from './fault';

async function main(): Promise<void> {
  let options;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`kira-collector: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const { help: _help, ...collectorOptions } = options;
  try {
    // Option errors (a public host without a token among them) are usage errors, not start failures.
    resolveCollectorOptions(collectorOptions);
  } catch (error) {
    console.error(`kira-collector: ${(error as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const collector = await startCollector(collectorOptions);
  const { options: resolved } = collector;
  // Handlers first: a Ctrl-C right after the banner must find them installed.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`kira-collector: ${signal}, closing`);
    collector.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('kira-collector: close failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  if (resolved.token === undefined && !isLoopbackHost(resolved.host)) {
    console.warn(`kira-collector: WARNING: listening on ${resolved.host} without a token (--allow-unauthenticated): anyone who can reach it can read all stored telemetry`);
  }
  // One write, so a parent process reading stdout sees the whole banner at once.
  console.log(
    [
      `kira-collector listening on ${collector.url}`,
      `  OTLP/HTTP  ${collector.url}/v1/traces | /v1/metrics | /v1/logs`,
      `  Sentry DSN http://<key>@${collector.url.replace(/^http:\/\//, '')}/1`,
      `  data ${resolved.dataDir}, retention ${resolved.retentionDays}d${resolved.token ? ', token required' : ''}${resolved.fault ? `, fault ${formatFault(resolved.fault)}` : ''}`,
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error('kira-collector: failed to start:', (error as Error).message);
  process.exit(1);
});
