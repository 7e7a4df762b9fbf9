/**
 * The lexical gate of `POST /query`: one SELECT (or WITH … SELECT), nothing that writes, changes
 * settings, reads files or reaches the network. ClickHouse's `readonly = 1` runs behind it as a
 * second line (it stops writes and table functions, but not the scalar `file()` function, which
 * is why this gate exists at all).
 */

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

  let unterminated = false;
  // Literals become '' and quoted identifiers their bare name, so `\`file\`(…)` is judged as file(…).
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
