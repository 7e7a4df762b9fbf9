import type { Attributes } from '@opentelemetry/api';

/** `2026-11-25T12:00:00.000Z INFO  [name] body {"key":"value"}`: one greppable line per record. */
export function formatConsoleLine(
  time: Date,
  severityText: string,
  name: string,
  body: string,
  attributes: Attributes | undefined,
): string {
  const line = `${time.toISOString()} ${severityText.padEnd(5)} [${name}] ${body}`;
  if (attributes === undefined || Object.keys(attributes).length === 0) return line;
  let json: string;
  try {
    json = JSON.stringify(attributes);
  } catch {
    json = '{"(attributes)":"not serialisable"}';
  }
  return `${line} ${json}`;
}
