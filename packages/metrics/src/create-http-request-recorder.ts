import type { Attributes, Histogram } from '@opentelemetry/api';
import { METRIC_ATTRIBUTES, normalizeHttpMethod } from '@kira/conventions';
import { isNonEmptyString, isValidDuration } from './input-checks';
import type { HttpDurationCells } from './histogram-cells';
import type { HttpRequestRecorder } from './types';

/**
 * Distinct method + route + status combinations whose attribute objects are kept. Routes are
 * templates, so a service has far fewer; past the cap values are still recorded, just with a
 * fresh attribute object each time.
 */
export const MAX_CACHED_HTTP_SERIES = 1000;

type StatusCache = Map<number, Readonly<Attributes>>;

/**
 * `http_request_duration_ms` for a per-request hot path. The attribute object of each
 * method + route + status is built (validated, method normalised by the contract's rule) once and then reused frozen,
 * so a request costs three map lookups and the histogram record — no validation, no allocation.
 * When `getCells` returns cells (otel-core's reader collects them), the record goes there instead
 * of through the SDK instrument, which would hash the attributes again on every call.
 */
export function createHttpRequestRecorder(
  getHistogram: () => Histogram,
  warnOnce: (key: string, message: string, ...args: unknown[]) => void,
  maxCached: number = MAX_CACHED_HTTP_SERIES,
  getCells: () => HttpDurationCells | undefined = () => undefined,
): HttpRequestRecorder {
  // route → method → status: nested maps avoid building a string key per request.
  const byRoute = new Map<string, Map<string, StatusCache>>();
  let cached = 0;

  function attributesFor(method: string, route: string, statusCode: number): Readonly<Attributes> | undefined {
    let byMethod = byRoute.get(route);
    let byStatus = byMethod?.get(method);
    const hit = byStatus?.get(statusCode);
    if (hit !== undefined) return hit;

    if (!isNonEmptyString(method) || !isNonEmptyString(route) || !Number.isInteger(statusCode)) return undefined;
    const attributes: Readonly<Attributes> = Object.freeze({
      [METRIC_ATTRIBUTES.httpMethod]: normalizeHttpMethod(method),
      [METRIC_ATTRIBUTES.httpRoute]: route,
      [METRIC_ATTRIBUTES.httpStatusCode]: statusCode,
    });
    if (cached >= maxCached) return attributes;
    if (byMethod === undefined) {
      byMethod = new Map();
      byRoute.set(route, byMethod);
    }
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    byStatus.set(statusCode, attributes);
    cached++;
    return attributes;
  }

  return function recordHttpRequestDuration(method, route, statusCode, durationMs) {
    const attributes = attributesFor(method, route, statusCode);
    if (attributes === undefined || !isValidDuration(durationMs)) {
      warnOnce(
        'recordHttpRequest-input',
        'recordHttpRequest({ method, route, statusCode, durationMs }) got invalid values; nothing recorded',
      );
      return;
    }
    try {
      const cells = getCells();
      if (cells !== undefined) cells.record(attributes, durationMs);
      else getHistogram().record(durationMs, attributes);
    } catch (error) {
      warnOnce('recordHttpRequest-failed', 'recording http_request_duration_ms failed', error);
    }
  };
}
