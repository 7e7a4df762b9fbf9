/**
 * The external services Kira calls. Values are the `external.service` span attribute and the
 * `external_service` metric attribute; any other string is accepted too.
 *
 * @example tracedFetch(url, init, { service: ExternalService.BYTEPLUS, operation: 'seedream_edit' })
 */
export const ExternalService = {
  FAL: 'fal',
  REPLICATE: 'replicate',
  OPENAI: 'openai',
  ANTHROPIC: 'anthropic',
  GOOGLE: 'google',
  XAI: 'xai',
  BYTEPLUS: 'byteplus',
  ILLUSTRIOUS: 'illustrious',
} as const;
