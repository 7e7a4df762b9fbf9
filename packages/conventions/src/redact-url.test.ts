import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_QUERY_PARAMS, isSecretHeader, isSecretQueryParam, redactUrl, redactUrlCredentialsInText } from './index';
import { isUnchangedByParsing } from './redact-url';

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

describe('redactUrl without parsing (isUnchangedByParsing)', () => {
  // What the parser makes of a URL with nothing to redact: the fast path may only skip it when
  // this is the text itself.
  const parsedHref = (text: string): string | undefined => {
    try {
      return new URL(text).href;
    } catch {
      return undefined;
    }
  };
  const schemes = ['http://', 'https://', 'HTTP://', 'Https://', 'ftp://', 'ws://', 'http:/', 'http:'];
  const hosts = [
    'example.com', 'localhost', 'api.example.com', 'EXAMPLE.com', 'Localhost', 'a..b', '.a.com', 'a.com.', 'a-.com', '-a.com',
    'ab--cd.com', 'xn--bcher-kva.example', 'xn--a', '1com', 'a.1com', '12', 'a.12', '1.2.3', '127.0.0.1', '255.255.255.255',
    '256.1.1.1', '010.0.0.1', '0x7f.0.0.1', '1.2.3.4.5', '[::1]', 'bücher.de', 'a_b.com', 'a%41.com', 'user@a.com', 'u:p@a.com', '',
  ];
  const ports = ['', ':3000', ':80', ':443', ':8080', ':080', ':0', ':65535', ':65536', ':', ':99999', ':1a'];
  const paths = [
    '', '/', '/users/123', '/a/./b', '/a/../b', '/.', '/..', '/a/.', '/.well-known/x', '/%2e%2E/x', '/a/%2E/b', '/%2e', '/a.b/c.d',
    '/a b', '/a"b', '/a<b>', '/a`b', '/a{b}', '/a^b', '/a|b', '/a\\b', '/ü', '/%zz', '/a%2', '/%41', '/a?b', '/a?', '/a#b', '/a#',
    '/@me', '/a:b', '//x', "/~x!$&'()*+,;=", '/a\tb', '/a\nb', '/a[b]',
  ];
  const corpus = schemes.flatMap((scheme) => hosts.flatMap((host) => ports.flatMap((port) => paths.map((path) => `${scheme}${host}${port}${path}`))));

  it('is taken only for URLs the parser returns unchanged, which then come back as they are', () => {
    let taken = 0;
    for (const text of corpus) {
      if (!isUnchangedByParsing(text)) continue;
      taken++;
      expect.soft(parsedHref(text), text).toBe(text);
      expect(redactUrl(text)).toBe(text);
    }
    // Not vacuous: plain URLs of every scheme, host kind and port above are taken.
    expect(taken).toBeGreaterThan(300);
  });

  it('agrees with the parser on random text drawn from the characters that matter', () => {
    const alphabet = ['h', 't', 'p', 's', ':', '/', '/', '.', '.', '-', 'a', 'Z', '0', '1', '9', '%', '2', 'e', 'E', '?', '#', '@', ' ', '\\', 'ü', '[', ']', 'x', 'n'];
    // A fixed seed (mulberry32), so a failure names a text that reproduces.
    let seed = 0x6b697261;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const prefixes = ['http://', 'https://', 'http://a', 'https://a.b', 'http://1.2.3.4', 'http://localhost:'];
    let taken = 0;
    for (let run = 0; run < 20_000; run++) {
      let text = prefixes[Math.floor(random() * prefixes.length)]!;
      const extra = Math.floor(random() * 12);
      for (let position = 0; position < extra; position++) text += alphabet[Math.floor(random() * alphabet.length)]!;
      if (!isUnchangedByParsing(text)) continue;
      taken++;
      expect(parsedHref(text), text).toBe(text);
    }
    expect(taken).toBeGreaterThan(100);
  });

  it('remembers only a URL found unchanged: one that needs redacting is redacted every time, in any order', () => {
    const plain = 'http://localhost:3000/users/123';
    const secret = 'http://localhost:3000/users/123?key=abc#token';
    const redacted = 'http://localhost:3000/users/123?key=REDACTED';
    for (const text of [plain, secret, secret, plain, plain, secret, `${plain}`.slice(0)]) {
      expect(redactUrl(text), text).toBe(text === plain ? plain : redacted);
    }
    // The same text built anew (not the remembered string object) is still recognised as plain.
    expect(redactUrl(['http://localhost:3000', '/users/123'].join(''))).toBe(plain);
    expect(redactUrl(`${plain}?key=x`)).toBe(`${plain}?key=REDACTED`);
  });

  it('takes the plain request URLs of a service and refuses what the parser would rewrite', () => {
    for (const plain of ['http://localhost:3000/users/123', 'https://api.example.com/v1/run', 'http://127.0.0.1:8080/x', 'https://a.b/@me/x:y%zz']) {
      expect(isUnchangedByParsing(plain), plain).toBe(true);
    }
    for (const rewritten of ['http://Localhost/x', 'http://a.com:80/x', 'https://a.com:443/x', 'http://a.com', 'http://1.2.3/x', 'http://a.com/a/../b', 'http://a.com/%2E/b', 'http://a.com/a b', 'http://a.com:080/x', 'http://0x7f.0.0.1/x']) {
      expect(isUnchangedByParsing(rewritten), rewritten).toBe(false);
      expect(parsedHref(rewritten), rewritten).not.toBe(rewritten);
    }
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
