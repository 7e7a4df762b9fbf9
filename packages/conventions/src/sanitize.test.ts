import { describe, expect, it } from 'vitest';
import { isSecretKey, sanitize, SECRET_KEY_WORDS } from './sanitize';

const PNG_BASE64 = `iVBORw0KGgo${'A'.repeat(16_800)}`;

describe('sanitize', () => {
  it('redacts secret-looking keys at any depth and keeps harmless look-alikes', () => {
    const result = sanitize({
      prompt: 'a cat',
      apiKey: 'sk-123',
      api_key: 'sk-456',
      Authorization: 'Basic abc',
      nested: { accessToken: 'x', refresh_token: 'y', password: 'p', passwd: 'q', 'x-session-id': 's' },
      list: [{ clientSecret: 'z', privateKey: 'k', cookie: 'c', jwt: 'j', bearer: 'b', credentials: {} }],
      author: 'Ada',
      max_tokens: 512,
      keyboard: 'qwerty',
    });
    expect(result).toEqual({
      prompt: 'a cat',
      apiKey: '[REDACTED]',
      api_key: '[REDACTED]',
      Authorization: '[REDACTED]',
      nested: {
        accessToken: '[REDACTED]',
        refresh_token: '[REDACTED]',
        password: '[REDACTED]',
        passwd: '[REDACTED]',
        'x-session-id': '[REDACTED]',
      },
      list: [
        {
          clientSecret: '[REDACTED]',
          privateKey: '[REDACTED]',
          cookie: '[REDACTED]',
          jwt: '[REDACTED]',
          bearer: '[REDACTED]',
          credentials: '[REDACTED]',
        },
      ],
      author: 'Ada',
      max_tokens: 512,
      keyboard: 'qwerty',
    });
  });

  it('redacts extra keys given as names or patterns', () => {
    expect(sanitize({ ssn: '1', cardNumber: '2', name: 'n' }, { redactKeys: ['SSN', /^card/i] })).toEqual({
      ssn: '[REDACTED]',
      cardNumber: '[REDACTED]',
      name: 'n',
    });
  });

  it('describes data URLs and bare base64 blobs with their type and size', () => {
    const result = sanitize({
      image: `data:image/png;base64,${PNG_BASE64}`,
      raw: PNG_BASE64,
      jpeg: `/9j/${'B'.repeat(400)}`,
      unknown: 'Q'.repeat(300),
      inText: `see ${PNG_BASE64} here`,
      short: 'aGVsbG8=',
    }) as Record<string, string>;
    expect(result.image).toBe('[base64 image/png, 12.3 KB]');
    expect(result.raw).toBe('[base64 image/png, 12.3 KB]');
    expect(result.jpeg).toBe('[base64 image/jpeg, 303 B]');
    expect(result.unknown).toBe('[base64, 225 B]');
    expect(result.inText).toBe('see [base64 image/png, 12.3 KB] here');
    expect(result.short).toBe('aGVsbG8=');
  });

  it('redacts JWTs and Bearer tokens inside strings', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(sanitize(`token was ${jwt} ok`)).toBe('token was [REDACTED jwt] ok');
    expect(sanitize('header: Bearer abcdef123456.xyz')).toBe('header: Bearer [REDACTED]');
    expect(sanitize('www.example.com and v1.2.3')).toBe('www.example.com and v1.2.3');
  });

  it('redacts a JWT glued after a dash inside a word, keeping what comes before it', () => {
    // Segments shorter than 20 characters, so only the `eyJ` form can find it.
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.${'s'.repeat(12)}`;
    expect(sanitize(`token-${jwt}`)).toBe('token-[REDACTED jwt]');
    expect(sanitize(`header x-${jwt} sent`)).toBe('header x-[REDACTED jwt] sent');
    expect(sanitize(`a-b--${jwt}.rest`)).toBe('a-b--[REDACTED jwt].rest');
    expect(sanitize(`--${jwt}`)).toBe('--[REDACTED jwt]');
    expect(sanitize(`user_id-${jwt}`)).toBe('user_id-[REDACTED jwt]');
    const real =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(sanitize(`session-${real} ok`)).toBe('[REDACTED jwt] ok');
    expect(sanitize('my-eyJ-shaped-name and more words')).toBe('my-eyJ-shaped-name and more words');
  });

  it('truncates long strings with a marker', () => {
    const result = sanitize('word '.repeat(1000), { maxStringLength: 100 }) as string;
    expect(result.startsWith('word word')).toBe(true);
    expect(result).toContain('…[truncated 4900 chars]');
    expect(result.length).toBeLessThan(130);
  });

  it('limits depth and breadth', () => {
    const deep = { a: { b: { c: { d: { e: 'bottom' } } } }, list: [[[['x']]]] };
    expect(sanitize(deep, { maxDepth: 3 })).toEqual({ a: { b: { c: '[MaxDepth]' } }, list: [['[Array(1)]']] });
    const wide = Object.fromEntries(Array.from({ length: 80 }, (_, index) => [`k${index}`, index]));
    const result = sanitize({ wide, items: Array.from({ length: 70 }, (_, index) => index) }) as {
      wide: Record<string, unknown>;
      items: unknown[];
    };
    expect(Object.keys(result.wide)).toHaveLength(51);
    expect(result.wide['[truncated]']).toBe('30 more keys');
    expect(result.items).toHaveLength(51);
    expect(result.items.at(-1)).toBe('[+20 more items]');
  });

  it('survives cycles but keeps shared references that are not cycles', () => {
    const shared = { name: 'shared' };
    const node: Record<string, unknown> = { shared, again: shared };
    node.self = node;
    expect(sanitize(node)).toEqual({ shared: { name: 'shared' }, again: { name: 'shared' }, self: '[Circular]' });
  });

  it('describes Buffers, typed arrays, Maps, Sets, Dates, functions, bigints and symbols', () => {
    const result = sanitize({
      buffer: Buffer.alloc(123),
      bytes: new Uint8Array(10),
      floats: new Float64Array(4),
      arrayBuffer: new ArrayBuffer(7),
      map: new Map<unknown, unknown>([
        ['model', 'seedream'],
        ['apiKey', 'sk'],
        [42, 'answer'],
      ]),
      set: new Set(['a', 'b']),
      date: new Date('2026-01-02T03:04:05.000Z'),
      fn: function generate() {},
      big: 10n,
      symbol: Symbol('s'),
    });
    expect(result).toEqual({
      buffer: '[Buffer 123 bytes]',
      bytes: '[Uint8Array 10 bytes]',
      floats: '[Float64Array 32 bytes]',
      arrayBuffer: '[ArrayBuffer 7 bytes]',
      map: { model: 'seedream', apiKey: '[REDACTED]', '42': 'answer' },
      set: ['a', 'b'],
      date: '2026-01-02T03:04:05.000Z',
      fn: '[Function generate]',
      big: '10n',
      symbol: 'Symbol(s)',
    });
  });

  it('turns Errors into name, message, a truncated stack and the cause', () => {
    const error = new TypeError('bad input', { cause: new Error('root') });
    const result = sanitize({ error }) as { error: { name: string; message: string; stack: string; cause: { message: string } } };
    expect(result.error.name).toBe('TypeError');
    expect(result.error.message).toBe('bad input');
    expect(result.error.stack.split('\n').length).toBeLessThanOrEqual(11);
    expect(result.error.cause.message).toBe('root');
  });

  it('never throws, even on hostile objects', () => {
    const hostile = {
      get boom() {
        throw new Error('getter exploded');
      },
    };
    expect(sanitize(hostile)).toEqual({ boom: '[Thrown: getter exploded]' });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(() => sanitize({ proxy: revoked.proxy })).not.toThrow();
    expect(sanitize(undefined)).toBeUndefined();
    expect(sanitize(null)).toBeNull();
  });

  it('stays bounded on huge input', () => {
    const huge = {
      images: Array.from({ length: 200 }, () => `data:image/png;base64,${PNG_BASE64}`),
      text: 'x '.repeat(2_000_000),
      rows: Array.from({ length: 100_000 }, (_, index) => ({ index, nested: { value: index } })),
    };
    const result = sanitize(huge) as { images: string[]; text: string; rows: unknown[] };
    expect(result.images[0]).toBe('[base64 image/png, 12.3 KB]');
    expect(result.text.length).toBeLessThan(1100);
    expect(result.rows).toHaveLength(51);
    expect(JSON.stringify(result).length).toBeLessThan(50_000);
  });

  it('scans long runs of token characters once (inputs that made the JWT and base64 patterns quadratic)', () => {
    // With patterns that could start inside a run, each of these took minutes; the test timeout bounds them.
    const dashes = 'a-'.repeat(200_000);
    expect(sanitize(dashes, { maxStringLength: 10 })).toBe(`a-a-a-a-a-…[truncated ${dashes.length - 10} chars]`);
    const jwtLike = 'eyJ-'.repeat(100_000);
    expect((sanitize(jwtLike) as string).startsWith('eyJ-eyJ-')).toBe(true);
    const shortRuns = `${'A'.repeat(199)} `.repeat(5_000);
    expect((sanitize(shortRuns) as string).startsWith('AAAA')).toBe(true);
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.${'s'.repeat(43)}`;
    expect(sanitize(`${'x-'.repeat(50_000)} ${jwt}`, { maxStringLength: 200_000 })).toContain('[REDACTED jwt]');
  });

  it('scans a run once however many of its dashes are followed by eyJ, and finds a JWT after a long dashed prefix', () => {
    // Trying the JWT after every `-eyJ` of a run (a lookbehind, or a lazy prefix) took about a minute on each of these.
    const dashed = '-eyJ'.repeat(100_000);
    expect(sanitize(dashed, { maxStringLength: 8 })).toBe(`-eyJ-eyJ…[truncated ${dashed.length - 8} chars]`);
    const pieces = 'eyJab-'.repeat(70_000);
    expect(sanitize(pieces, { maxStringLength: 12 })).toBe(`eyJab-eyJab-…[truncated ${pieces.length - 12} chars]`);
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.${'s'.repeat(12)}`;
    const prefix = 'x-'.repeat(100_000);
    expect(sanitize(`${prefix}${jwt}`, { maxStringLength: 300_000 })).toBe(`${prefix}[REDACTED jwt]`);
  });

  it('describes runs of millions of characters instead of losing the whole value (a 4.5 MB image in a tool input)', () => {
    // About 6 million characters: past the size at which V8's regular expressions run out of
    // backtracking stack, which used to turn the whole input into "[Unserializable]".
    const image = `iVBORw0KGgo${'A'.repeat(6_000_000)}==`;
    const bytes = Math.floor((image.length * 3) / 4) - 2;
    const described = `[base64 image/png, ${(bytes / (1024 * 1024)).toFixed(1)} MB]`;
    expect(sanitize({ prompt: 'a cat', image, apiKey: 'sk-1' })).toEqual({ prompt: 'a cat', image: described, apiKey: '[REDACTED]' });
    // The same description as a shorter blob gets from the patterns, and as a data URL.
    expect(sanitize({ image: `see data:image/png;base64,${image} here` })).toEqual({ image: `see ${described} here` });

    // Not base64 (dashes, a JWT inside): only the length is kept, nothing of the run.
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.${'s'.repeat(12)}`;
    const run = `${'x-'.repeat(3_000_000)}${jwt}`;
    const result = sanitize({ note: `before ${run} after` }, { maxStringLength: 10_000 }) as { note: string };
    expect(result.note).toBe(`before [${run.length} characters without spaces, not recorded] after`);
  });
});

describe('isSecretKey', () => {
  it('matches every secret word as a whole word in any spelling', () => {
    for (const word of SECRET_KEY_WORDS) {
      expect(isSecretKey(word), word).toBe(true);
      expect(isSecretKey(`user_${word}`), word).toBe(true);
      expect(isSecretKey(`my${word[0]!.toUpperCase()}${word.slice(1)}`), word).toBe(true);
    }
  });

  it('keeps look-alikes and honours extra names and patterns', () => {
    for (const key of ['author', 'max_tokens', 'keyboard', 'monkey', 'tokenizer_model', 'prompt']) expect(isSecretKey(key), key).toBe(false);
    expect(isSecretKey('SSN', ['ssn'])).toBe(true);
    expect(isSecretKey('cardNumber', [/^card/i])).toBe(true);
  });

  it('refuses what is not a key or a list of extra keys with a TypeError that says so', () => {
    // A string where the list belongs used to be walked character by character, comparing each
    // against the whole key: a 4 MB string held the event loop for hours.
    const huge = 'x'.repeat(4 * 1024 * 1024);
    expect(() => isSecretKey(huge, huge as never)).toThrow(new TypeError('@kira/conventions: isSecretKey expects extraKeys as an array of names and regular expressions, got a string of 4194304 characters'));
    expect(() => isSecretKey(undefined as never)).toThrow(new TypeError('@kira/conventions: isSecretKey expects the key as a string, got undefined'));
    expect(() => isSecretKey('name', [42 as never])).toThrow(/got number 42 in it$/);
    expect(isSecretKey(huge)).toBe(false);
  });
});

describe('sanitize with null options', () => {
  it('uses the defaults, as with no options, instead of losing the value', () => {
    expect(sanitize({ apiKey: 'sk-1', prompt: 'a cat' }, null)).toEqual({ apiKey: '[REDACTED]', prompt: 'a cat' });
  });
});
