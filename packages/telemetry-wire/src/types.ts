/** The three OTLP signals, named as in the `/v1/<signal>` path. */
export type OtlpSignal = 'traces' | 'metrics' | 'logs';

export interface EnvelopeItem {
  headers: Record<string, unknown>;
  payload: Buffer;
}

export interface ParsedEnvelope {
  headers: Record<string, unknown>;
  items: EnvelopeItem[];
}
