/**
 * Which OTLP/HTTP encoding a Content-Type names, or undefined when it is neither.
 * Example: `otlpContentKind('application/json; charset=utf-8') === 'json'`
 */
export function otlpContentKind(contentType: string | undefined): 'protobuf' | 'json' | undefined {
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}
