/**
 * The lexical gate of `POST /query`: one SELECT (or WITH … SELECT), nothing that writes, changes
 * settings, reads files or reaches the network. ClickHouse's `readonly = 1` runs behind it as a
 * second line (it stops writes and table functions, but not the scalar `file()` function, which
 * is why this gate exists at all).
 */

import { otlpEnumValues, type OtlpEnum } from '@kira/telemetry-wire';

/** Statements and clauses a read-only dashboard query never needs. */
const FORBIDDEN_KEYWORDS = [
  'insert',
  'alter',
  'drop',
  'create',
  'truncate',
  'rename',
  'attach',
  'detach',
  'optimize',
  'grant',
  'revoke',
  'kill',
  'set',
  'use',
  'delete',
  'update',
  'exchange',
  'undrop',
  'backup',
  'restore',
  'into',
  'outfile',
  'infile',
  'settings',
  'format',
];

/** Functions that read files, run programs or open connections (table and scalar forms). */
const FORBIDDEN_FUNCTIONS = [
  'file',
  'filecluster',
  'url',
  'urlcluster',
  's3',
  's3cluster',
  's3queue',
  'gcs',
  'cosn',
  'oss',
  'azureblobstorage',
  'azureblobstoragecluster',
  'hdfs',
  'hdfscluster',
  'remote',
  'remotesecure',
  'cluster',
  'clusterallreplicas',
  'executable',
  'executablepool',
  'mysql',
  'postgresql',
  'mongodb',
  'redis',
  'sqlite',
  'jdbc',
  'odbc',
  'input',
  'format',
  'iceberg',
  'icebergs3',
  'icebergazure',
  'iceberghdfs',
  'iceberglocal',
  'deltalake',
  'hudi',
  'paimon',
  'kafka',
  'nats',
  'rabbitmq',
  'arrowflight',
  'ytsaurus',
  'dictionary',
  'dictget',
  'catboostevaluate',
  'python',
];

const FORBIDDEN_KEYWORD_SET = new Set(FORBIDDEN_KEYWORDS);
const FORBIDDEN_FUNCTION_SET = new Set(FORBIDDEN_FUNCTIONS);

/** Literals, quoted identifiers and comments, matched first so their contents are never judged. */
const TOKEN = /'(?:[^'\\]|\\[\s\S]|'')*'|"((?:[^"\\]|\\[\s\S]|"")*)"|`((?:[^`\\]|\\[\s\S])*)`|--[^\n]*|\/\*[\s\S]*?\*\/|'|"|`|\/\*/g;

/**
 * Why `sql` is refused, or `undefined` when it is a single read-only SELECT.
 *
 * @example checkReadOnlyQuery('DROP TABLE logs') // 'only a single SELECT is allowed (found DROP)'
 */
export function checkReadOnlyQuery(sql: unknown): string | undefined {
  if (typeof sql !== 'string' || sql.trim() === '') return 'query must be a non-empty string';
  if (sql.length > 100_000) return 'query is longer than 100000 characters';
  if (sql.includes('\0')) return 'query contains a NUL character';

  const { skeleton, unterminated } = skeletonOf(sql);
  if (unterminated) return 'query has an unterminated string, identifier or comment';

  const body = skeleton.replace(/;\s*$/, '');
  if (body.includes(';')) return 'only a single statement is allowed (found ";")';

  const first = /^[\s(]*([A-Za-z_]+)/.exec(body)?.[1]?.toLowerCase();
  if (first !== 'select' && first !== 'with') {
    return `only a single SELECT is allowed (found ${first ? first.toUpperCase() : 'no statement'})`;
  }

  for (const match of body.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    const word = match[0].toLowerCase();
    const after = body.slice((match.index ?? 0) + match[0].length);
    const before = body.slice(0, match.index ?? 0);
    // A name right after a dot is a column or table of some database, not a keyword.
    if (/\.\s*$/.test(before)) continue;
    const isCall = /^\s*\(/.test(after);
    if (isCall && FORBIDDEN_FUNCTION_SET.has(word)) {
      return `function ${match[0]}() is not allowed: queries may not read files or reach the network`;
    }
    if (FORBIDDEN_KEYWORD_SET.has(word) && !isCall) {
      return `only a single SELECT is allowed (found ${word.toUpperCase()})`;
    }
    if (word === 'system' && !/^\s*\./.test(after)) return 'only a single SELECT is allowed (found SYSTEM)';
  }

  const tableFunction = /\b(?:from|join)\s+([A-Za-z_][A-Za-z0-9_.]*)\s*\(/i.exec(body);
  if (tableFunction) return `table function ${tableFunction[1]}() is not allowed: query the tables directly`;
  return undefined;
}

/**
 * The query with literals emptied to `''`, quoted identifiers bare and comments blanked, so only
 * what ClickHouse reads as SQL is left to judge.
 */
function skeletonOf(sql: string): { skeleton: string; unterminated: boolean } {
  let unterminated = false;
  // Quoted identifiers become their bare name, so `\`file\`(…)` is judged as file(…).
  const skeleton = sql.replace(TOKEN, (match, doubleQuoted?: string, backQuoted?: string) => {
    if (match === "'" || match === '"' || match === '`' || match === '/*') {
      unterminated = true;
      return match;
    }
    if (match.startsWith("'")) return "''";
    if (doubleQuoted !== undefined || backQuoted !== undefined) {
      const name = (doubleQuoted ?? backQuoted ?? '').trim();
      return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? ` ${name} ` : ' quoted_identifier ';
    }
    return ' '; // comment
  });
  return { skeleton, unterminated };
}

/**
 * Every bare word the query uses outside literals, comments and placeholders (columns, aliases,
 * functions, keywords), as written. `{{source}}` is resolved by which table's columns these name.
 *
 * @example queryIdentifiers("SELECT maxMerge(process_mb) FROM {{source}} WHERE x = 'y'") // Set { 'SELECT', 'maxMerge', 'process_mb', 'FROM', 'WHERE', 'x' }
 */
export function queryIdentifiers(sql: string): Set<string> {
  const body = skeletonOf(sql).skeleton.replace(/\{\{[^}]*\}\}/g, ' ');
  return new Set(body.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
}

/**
 * The values of an OTLP enum by their names without the proto prefix (`SPAN_KIND_SERVER` →
 * `SERVER`), from the protos' table in `@kira/telemetry-wire`; the numbered severities (`WARN2`)
 * are left out, each shares its level's range.
 */
function shortNames(name: OtlpEnum, prefix: string): Record<string, number> {
  const values = Object.entries(otlpEnumValues(name)).filter(([long]) => !/\d$/.test(long));
  return Object.fromEntries(values.map(([long, value]) => [long.slice(prefix.length), value]));
}

/**
 * Coded columns: stored as OTLP numbers, so a comparison with the name of a value is answered
 * with the number to write instead (`status_code = 'ERROR'` → use `status_code = 2`).
 */
export const CODED_COLUMNS: Readonly<Record<string, { readonly table: string; readonly type: string; readonly values: Readonly<Record<string, number>> }>> = {
  status_code: { table: 'spans', type: 'UInt8', values: shortNames('StatusCode', 'STATUS_CODE_') },
  kind: { table: 'spans', type: 'UInt8', values: shortNames('SpanKind', 'SPAN_KIND_') },
  // OTLP SeverityNumber: each level spans four numbers (TRACE 1–4 … FATAL 21–24); the first is the plain level.
  severity_number: { table: 'logs', type: 'UInt8', values: shortNames('SeverityNumber', 'SEVERITY_NUMBER_') },
};

/** A coded column compared with a string literal; literals, quoted names and comments are matched (and skipped) as wholes. */
const CODED_COMPARISON = new RegExp(String.raw`\b(status_code|kind|severity_number)\s*(=|==|!=|<>)\s*'((?:[^'\\]|\\[\s\S]|'')*)'|${TOKEN.source}`, 'g');

/**
 * Why a comparison of a coded column with a name is refused, naming the number to use; or
 * `undefined`. Numbers written as strings (`'2'`) are left to ClickHouse, which accepts them.
 *
 * @example checkCodedColumns("SELECT count() FROM {{source:spans}} WHERE status_code = 'ERROR'") // "spans.status_code is a UInt8 OTLP code …; write status_code = 2"
 */
export function checkCodedColumns(sql: string): string | undefined {
  for (const match of sql.matchAll(CODED_COMPARISON)) {
    const [, column, operator = '', text = ''] = match;
    if (column === undefined || /^\s*\d+\s*$/.test(text)) continue;
    const coded = CODED_COLUMNS[column];
    if (coded === undefined) continue;
    const known = Object.entries(coded.values).map(([name, value]) => `${value} = ${name}`).join(', ');
    const name = text.trim().toUpperCase().replace(/^(STATUS_CODE_|SPAN_KIND_|SEVERITY_NUMBER_)/, '');
    const value = coded.values[name];
    let advice = value === undefined ? 'use one of the numbers' : `write ${column} ${operator} ${value}`;
    if (column === 'severity_number' && value !== undefined && value > 0) {
      advice = `write severity_number${operator === '=' || operator === '==' ? '' : ' NOT'} BETWEEN ${value} AND ${value + 3} (or severity_text ${operator} '${name}')`;
    }
    return `${coded.table}.${column} is a ${coded.type} OTLP code (${known}), not a string: ${advice} instead of '${text}'`;
  }
  return undefined;
}
