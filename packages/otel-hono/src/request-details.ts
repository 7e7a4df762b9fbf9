// Small string helpers kept allocation-free on the common path (no URL parsing per request).

/** Host of an absolute URL without the port (`server.address`). */
export function serverAddressOf(url: string): string | undefined {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return undefined;
  const start = schemeEnd + 3;
  if (url.charCodeAt(start) === 91 /* [ */) {
    const close = url.indexOf(']', start);
    return close < 0 ? undefined : url.slice(start + 1, close);
  }
  let end = start;
  while (end < url.length) {
    const code = url.charCodeAt(end);
    if (code === 47 /* / */ || code === 63 /* ? */ || code === 35 /* # */ || code === 58 /* : */) break;
    end++;
  }
  return end > start ? url.slice(start, end) : undefined;
}

/** Scheme of an absolute URL (`url.scheme`). */
export function schemeOf(url: string): string | undefined {
  const schemeEnd = url.indexOf('://');
  return schemeEnd > 0 ? url.slice(0, schemeEnd) : undefined;
}

