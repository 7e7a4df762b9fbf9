// Stable semconv names plus the legacy duplicates DESIGN.md keeps for existing BetterStack views.
// Declared here because runtime packages may import only @opentelemetry/api.
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_URL_PATH = 'url.path';
export const ATTR_URL_SCHEME = 'url.scheme';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_LEGACY_HTTP_METHOD = 'http.method';
export const ATTR_LEGACY_HTTP_URL = 'http.url';
export const ATTR_LEGACY_HTTP_STATUS_CODE = 'http.status_code';
