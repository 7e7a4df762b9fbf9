import { argumentTypeError } from '@kira/conventions';
import { tracedFetch } from './traced-fetch';
import type { TracedFetch, TracedFetchBehaviour, TracedFetchCallOptions, TracedFetchDefaults, TracedFetchOptions } from './types';

/**
 * Binds `tracedFetch` to defaults. Precedence, lowest first: `defaults`, `defaults.services[service]`,
 * the call's options. The lists (`redactQueryParams`, `recordHeaders`) add up instead of replacing
 * each other, so a call can never un-redact what a default redacts.
 *
 * @example
 * const providerFetch = createTracedFetch({ recordHeaders: ['x-request-id'], services: { openai: { propagateContext: false } } });
 * await providerFetch(url, init, { service: ExternalService.OPENAI, operation: 'chat_completion' });
 */
export function createTracedFetch(defaults: TracedFetchDefaults = {}): TracedFetch {
  // Spreading a string would copy every character into an object: refuse anything but an object.
  if (defaults === null || defaults === undefined) defaults = {};
  if (typeof defaults !== 'object' || Array.isArray(defaults)) {
    throw argumentTypeError('@kira/external-tracing', 'createTracedFetch', 'an options object', defaults);
  }
  const { services, ...base } = defaults;
  return (input, init, options) => {
    const call: TracedFetchCallOptions = typeof options === 'object' && options !== null ? options : ({} as TracedFetchCallOptions);
    const service = call.service ?? base.service;
    const perService: TracedFetchBehaviour | undefined = service !== undefined ? services?.[service] : undefined;
    const merged = { ...base, ...perService, ...call, service } as TracedFetchOptions;
    merged.redactQueryParams = concatLists(base.redactQueryParams, perService?.redactQueryParams, call.redactQueryParams);
    merged.recordHeaders = concatLists(base.recordHeaders, perService?.recordHeaders, call.recordHeaders);
    return tracedFetch(input, init, merged);
  };
}

function concatLists(...lists: Array<readonly string[] | undefined>): string[] | undefined {
  const present = lists.filter((list): list is readonly string[] => Array.isArray(list));
  return present.length === 0 ? undefined : present.flat();
}
