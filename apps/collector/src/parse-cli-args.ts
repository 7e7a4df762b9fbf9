import { MAX_RETENTION_DAYS } from '@kira/dashboards/schema';
import type { CollectorOptions } from './types';

/** `7d`, `12h`, `30m`, `45s` or a plain number of days → days. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(d|h|m|s)?$/i.exec(text.trim());
  if (!match) throw new Error(`invalid duration "${text}": use e.g. 7d, 12h, 30m`);
  const value = Number(match[1]);
  const unit = (match[2] ?? 'd').toLowerCase();
  const perDay: Record<string, number> = { d: 1, h: 24, m: 1_440, s: 86_400 };
  const days = value / (perDay[unit] ?? 1);
  if (!(days > 0)) throw new Error(`invalid duration "${text}": must be positive`);
  return days;
}

/** `16mb`, `512kb`, `1gb` or plain bytes → bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g|kib|mib|gib)?$/i.exec(text.trim());
  if (!match) throw new Error(`invalid size "${text}": use e.g. 16mb, 512kb`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  const bytes = Math.floor(Number(match[1]) * factor);
  if (!(bytes > 0)) throw new Error(`invalid size "${text}": must be positive`);
  return bytes;
}

export const USAGE = `Usage: kira-collector [options]

  --port <n>          port (default 4318; 0 = any free port)
  --host <addr>       interface (default 127.0.0.1)
  --data-dir <dir>    chdb data folder (default .data/collector)
  --token <t>         require Authorization: Bearer <t> (needed for a non-loopback --host)
  --allow-unauthenticated
                      listen on a non-loopback --host without a token (everyone who can
                      reach it can read all stored telemetry)
  --retention <d>     keep data this long: 7d, 12h, 30m (default 7d, at most ${MAX_RETENTION_DAYS}d)
  --max-body <size>   largest body after decompression: 16mb, 512kb (default 16mb)
  --fault <spec>      fault injection: status=503,retry-after=2 | delay=3000 | drop=1 | rate=0.5
                      (env KIRA_COLLECTOR_FAULT; change at runtime with POST /admin/fault)
  --help              this text`;

/** Parses the CLI flags (`--name value` or `--name=value`); `help` when --help is given. */
export function parseCliArgs(argv: readonly string[]): CollectorOptions & { help?: boolean } {
  const options: CollectorOptions & { help?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') {
      options.help = true;
      continue;
    }
    if (arg === '--allow-unauthenticated') {
      options.allowUnauthenticated = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    switch (name) {
      case '--port': {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid port "${value}"`);
        options.port = port;
        break;
      }
      case '--host':
        options.host = value;
        break;
      case '--data-dir':
        options.dataDir = value;
        break;
      case '--token':
        options.token = value;
        break;
      case '--retention':
        options.retentionDays = parseDuration(value);
        break;
      case '--max-body':
        options.maxBodyBytes = parseSize(value);
        break;
      case '--fault':
        options.fault = value;
        break;
      default:
        throw new Error(`unknown option ${name}`);
    }
  }
  return options;
}
