import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_QUERY_PARAMS, isSecretHeader, isSecretQueryParam, redactUrl, redactUrlCredentialsInText } from './index';

describe('redactUrl', () => {
  it('ignores extra parameter lists that are not arrays instead of throwing', () => {
    const notALists = ['', 'token', 42, { length: 1 }, null] as unknown as string[][];
    for (const extra of notALists) {
      expect(redactUrl('https://h/p?key=a&x=b', extra)).toBe('https://h/p?key=REDACTED&x=b');
      expect(isSecretQueryParam('x', extra)).toBe(false);
    }
  });

  it.each(DEFAULT_REDACTED_QUERY_PARAMS.map((name) => [name]))('redacts the value of %s', (name) => {
    expect(redactUrl(`https://api.example.com/v1/run?model=flux&${name}=s3cr3t%2Fvalue&n=2`)).toBe(
      `https://api.example.com/v1/run?model=flux&${name}=REDACTED&n=2`,
    );
  });

  it('matches parameter names case-insensitively, including percent-encoded and +-encoded names', () => {
    expect(redactUrl('https://h/p?API_KEY=a&Token=b&x%2Damz%2Dsignature=c&client+secret=d&client_secret=e')).toBe(
      'https://h/p?API_KEY=REDACTED&Token=REDACTED&x%2Damz%2Dsignature=REDACTED&client+secret=d&client_secret=REDACTED',
    );
  });

  it('redacts pre-signed S3 and GCS URLs', () => {
    const s3 =
      'https://bucket.s3.amazonaws.com/img.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok&X-Amz-Signature=deadbeef';
    expect(redactUrl(s3)).toBe(
      'https://bucket.s3.amazonaws.com/img.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED',
    );
    const gcs = 'https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=sa%40p&X-Goog-Signature=abc';
    expect(redactUrl(gcs)).toBe('https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=REDACTED&X-Goog-Signature=REDACTED');
    const legacyS3 = 'https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIA&Expires=1&Signature=xyz';
    expect(redactUrl(legacyS3)).toBe('https://b.s3.amazonaws.com/k?AWSAccessKeyId=REDACTED&Expires=1&Signature=REDACTED');
  });

  it('replaces userinfo with REDACTED:REDACTED (semantic-convention form)', () => {
    expect(redactUrl('https://user:password@api.example.com/x')).toBe('https://REDACTED:REDACTED@api.example.com/x');
    expect(redactUrl('https://token@api.example.com/x')).toBe('https://REDACTED:REDACTED@api.example.com/x');
    expect(redactUrl(new URL('https://u:p@h/'))).toBe('https://REDACTED:REDACTED@h/');
  });

  it('drops the fragment, where OAuth flows put tokens', () => {
    expect(redactUrl('https://app.example.com/cb#access_token=abc&state=1')).toBe('https://app.example.com/cb');
  });

  it('extends the defaults with extra parameters and keeps everything else byte for byte', () => {
    expect(redactUrl('https://h/p?tenant=1&key=2&q=a%20b+c&flag', ['Tenant'])).toBe('https://h/p?tenant=REDACTED&key=REDACTED&q=a%20b+c&flag');
    expect(redactUrl('https://h/p?tenant=1')).toBe('https://h/p?tenant=1');
  });

  it('handles relative and unparsable input without leaking', () => {
    expect(redactUrl('/v1/run?token=abc&x=1#frag')).toBe('/v1/run?token=REDACTED&x=1');
    expect(redactUrl('http://u:p@[bad/p?sig=1')).toBe('http://REDACTED:REDACTED@[bad/p?sig=REDACTED');
  });
});

describe('isSecretQueryParam', () => {
  it('applies the redactUrl rule to a single name: case-insensitive, percent-decoded, extendable', () => {
    expect(isSecretQueryParam('api_key')).toBe(true);
    expect(isSecretQueryParam('X-AMZ-SIGNATURE')).toBe(true);
    expect(isSecretQueryParam('access%5Ftoken')).toBe(true);
    expect(isSecretQueryParam('size')).toBe(false);
    expect(isSecretQueryParam('tenant')).toBe(false);
    expect(isSecretQueryParam('tenant', ['Tenant'])).toBe(true);
    expect(isSecretQueryParam(42 as unknown as string)).toBe(false);
  });
});

describe('isSecretHeader', () => {
  it('names the credential headers, case-insensitively, and nothing else', () => {
    for (const name of ['Authorization', 'cookie', 'Set-Cookie', 'X-Api-Key', 'x-goog-api-key', 'api-key', 'X-Auth-Token']) expect(isSecretHeader(name)).toBe(true);
    for (const name of ['x-request-id', 'content-type', 'retry-after']) expect(isSecretHeader(name)).toBe(false);
    expect(isSecretHeader(undefined as unknown as string)).toBe(false);
  });
});

describe('redactUrlCredentialsInText', () => {
  it('redacts credentials of every URL in free text and caps the text', () => {
    expect(redactUrlCredentialsInText('GET https://bot:s3cr3t@api.example.com/x failed; see ftp://u:p@h/')).toBe(
      'GET https://REDACTED:REDACTED@api.example.com/x failed; see ftp://REDACTED:REDACTED@h/',
    );
    expect(redactUrlCredentialsInText('no url here')).toBe('no url here');
    const long = redactUrlCredentialsInText(`${'x'.repeat(10_000)} https://a:b@h/`);
    expect(long).toHaveLength(4097);
    expect(long.endsWith('…')).toBe(true);
  });

  it('stays linear on long strings that look almost like URLs (the test timeout bounds it)', () => {
    const text = 'a://'.repeat(100_000);
    expect(redactUrlCredentialsInText(text).length).toBe(4097);
  });
});

describe('URL redaction of values that are not strings', () => {
  // A null-prototype object cannot be converted to text: String() of it throws.
  const unconvertible = Object.create(null) as object;

  it('redactUrl treats them like unparsable URLs and never throws', () => {
    expect(redactUrl(unconvertible as never)).toBe('[unprintable]');
    expect(redactUrl({ toString: () => 'https://u:p@h/x?token=1#f' } as never)).toBe('https://REDACTED:REDACTED@h/x?token=REDACTED');
    expect(redactUrl(new URL('https://u:p@h/x?key=1'))).toBe('https://REDACTED:REDACTED@h/x?key=REDACTED');
  });

  it('redactUrlCredentialsInText never throws either', () => {
    expect(redactUrlCredentialsInText(unconvertible as never)).toBe('[unprintable]');
    expect(redactUrlCredentialsInText(42 as never)).toBe('42');
  });
});
