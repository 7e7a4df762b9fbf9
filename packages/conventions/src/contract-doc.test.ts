// docs/telemetry-contract.md is the contract as users read it; this test compares its tables with
// the code in both directions, so neither can change without the other.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  AI_TOOL_LOG,
  DEFAULT_REDACTED_QUERY_PARAMS,
  EXTERNAL_REQUEST_OUTCOMES,
  fetchWireMethod,
  IMGPROXY_METRIC_NAMES,
  KNOWN_HTTP_METHODS,
  LOG_SEVERITIES,
  METRICS,
  normalizeHttpMethod,
  RESOURCE_ATTRIBUTES,
  redactUrl,
  sanitize,
  SECRET_HEADERS,
  SECRET_KEY_WORDS,
  SPANS,
  TELEMETRY_SWITCH_VARIABLES,
  URL_ATTRIBUTES_REDACTED,
} from './index';

const DOC_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'telemetry-contract.md');
const lines = readFileSync(DOC_PATH, 'utf8').split('\n');

/** The body rows of the first table under the heading whose text is exactly `heading`. */
function tableUnder(heading: string): string[][] {
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start === -1) throw new Error(`docs/telemetry-contract.md has no heading "${heading}"`);
  const rows: string[][] = [];
  for (let index = start + 1; index < lines.length; index++) {
    const line = lines[index]!;
    if (/^#+ /.test(line)) break;
    if (line.startsWith('|')) rows.push(line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
    else if (rows.length > 0) break;
  }
  if (rows.length < 3) throw new Error(`no table under "${heading}" in docs/telemetry-contract.md`);
  return rows.slice(2);
}

/** A table whose first header cell is `firstHeader`, anywhere in the document. */
function tableHeaded(firstHeader: string): string[][] {
  const start = lines.findIndex((line) => line.startsWith(`| ${firstHeader} |`));
  if (start === -1) throw new Error(`docs/telemetry-contract.md has no table headed "${firstHeader}"`);
  const rows: string[][] = [];
  for (let index = start + 2; index < lines.length && lines[index]!.startsWith('|'); index++) {
    rows.push(lines[index]!.slice(1, -1).split(' | ').map((cell) => cell.trim()));
  }
  return rows;
}

function sectionText(heading: string): string {
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '') === heading);
  const end = lines.findIndex((line, index) => index > start && /^#+ /.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

const codes = (cell: string | undefined): string[] => [...(cell ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
const code = (cell: string | undefined): string => {
  const found = codes(cell);
  if (found.length !== 1) throw new Error(`expected one code span in "${cell}"`);
  return found[0]!;
};
const sorted = (values: Iterable<string>): string[] => [...values].sort();

describe('docs/telemetry-contract.md matches @kira/conventions', () => {
  it('resource attributes', () => {
    expect(sorted(tableUnder('Resource').map((row) => code(row[0])))).toEqual(sorted(Object.values(RESOURCE_ATTRIBUTES)));
  });

  it('the span list: names, kinds and emitting packages', () => {
    const documented = tableUnder('Spans').map((row) => ({ kind: row[1], name: code(row[2]), emittedBy: code(row[3]) }));
    const inCode = Object.values(SPANS).map((span) => ({ kind: span.kind, name: span.name, emittedBy: span.emittedBy }));
    expect(sorted(documented.map((span) => JSON.stringify(span)))).toEqual(sorted(inCode.map((span) => JSON.stringify(span))));
  });

  it.each(Object.entries(SPANS))('the attributes of span %s', (_key, span) => {
    const rows = tableUnder(`Span \`${span.name}\``);
    const of = (kind: string) => sorted(rows.filter((row) => row[1] === kind).map((row) => code(row[0])));
    expect(rows.every((row) => row[1] === 'stable' || row[1] === 'legacy')).toBe(true);
    expect(of('stable')).toEqual(sorted(span.attributes));
    expect(of('legacy')).toEqual(sorted(span.legacyAttributes));
  });

  it('metrics: names, types, units, attributes, buckets and emitting packages', () => {
    const documented = tableUnder('Metrics').map((row) => ({
      name: code(row[0]),
      type: row[1],
      unit: code(row[2]),
      attributes: sorted(codes(row[3])),
      buckets: row[4] === '—' ? undefined : row[4]!.split(',').map((bound) => Number(bound.trim())),
      emittedBy: code(row[5]),
    }));
    const inCode = Object.values(METRICS).map((metric) => ({
      name: metric.name,
      type: metric.type,
      unit: metric.unit,
      attributes: sorted(metric.attributes),
      buckets: 'buckets' in metric ? [...metric.buckets] : undefined,
      emittedBy: metric.emittedBy,
    }));
    expect(sorted(documented.map((metric) => JSON.stringify(metric)))).toEqual(sorted(inCode.map((metric) => JSON.stringify(metric))));
  });

  it('metric attributes and the outcome values', () => {
    const rows = tableHeaded('metric attribute');
    expect(sorted(rows.map((row) => code(row[0])))).toEqual(sorted(new Set(Object.values(METRICS).flatMap((metric) => metric.attributes))));
    const outcome = rows.find((row) => code(row[0]) === 'outcome');
    expect(sorted(codes(outcome?.[1]))).toEqual(sorted(EXTERNAL_REQUEST_OUTCOMES));
  });

  it('the imgproxy metrics', () => {
    expect(sorted(tableUnder('Metrics read from imgproxy').map((row) => code(row[0])))).toEqual(sorted(Object.values(IMGPROXY_METRIC_NAMES)));
  });

  it('log levels and severities', () => {
    const documented = Object.fromEntries(
      tableUnder('Log records').map((row) => [code(row[0]), { number: Number(row[1]), text: code(row[2]) }]),
    );
    expect(documented).toEqual(LOG_SEVERITIES);
  });

  it('the AI tool log: body and attributes', () => {
    expect(sorted(tableUnder('The AI tool log').map((row) => code(row[0])))).toEqual(sorted(AI_TOOL_LOG.attributes));
    expect(codes(sectionText('The AI tool log'))).toContain(AI_TOOL_LOG.bodyTemplate);
    expect(sectionText('The AI tool log')).toContain(`at \`${AI_TOOL_LOG.severity}\``);
  });

  it('the HTTP method rule, with lowercase and unknown methods', () => {
    const rows = tableHeaded('method received');
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const [received, recorded] of rows) expect(normalizeHttpMethod(code(received)), received).toBe(code(recorded));
    const text = sectionText('HTTP method rule');
    for (const method of KNOWN_HTTP_METHODS) expect(codes(text), method).toContain(method);
    for (const [option, sent] of tableHeaded('`fetch` method option')) expect(fetchWireMethod(code(option)), option).toBe(code(sent));
  });

  it('the on/off rule reads its variables in the documented order', () => {
    const order = tableUnder('On/off rule')
      .flatMap((row) => codes(row[1]).map((text) => text.split('=')[0]!))
      .filter((name) => /^[A-Z_]+$/.test(name));
    expect(order).toEqual([...TELEMETRY_SWITCH_VARIABLES]);
  });

  it('the secret lists', () => {
    const rows = tableUnder('Secret rules');
    const listFor = (label: string) => {
      const row = rows.find((candidate) => candidate[0]!.startsWith(label));
      if (!row) throw new Error(`no "${label}" row in the secret rules table`);
      return sorted(codes(row[1]));
    };
    expect(listFor('query parameters')).toEqual(sorted(DEFAULT_REDACTED_QUERY_PARAMS));
    expect(listFor('headers')).toEqual(sorted(SECRET_HEADERS));
    expect(listFor('payload key words')).toEqual(sorted(SECRET_KEY_WORDS));
    expect(listFor('span attributes redacted as URLs')).toEqual(sorted(URL_ATTRIBUTES_REDACTED));
  });

  it('the sanitize and redactUrl examples are what the functions return', () => {
    const sanitizeRows = tableHeaded('`sanitize` input');
    const redactRows = tableHeaded('`redactUrl` input');
    expect(sanitizeRows.length + redactRows.length).toBeGreaterThanOrEqual(5);
    for (const [input, output] of sanitizeRows) expect(sanitize(code(input))).toBe(code(output));
    for (const [input, output] of redactRows) expect(redactUrl(code(input))).toBe(code(output));
  });
});
