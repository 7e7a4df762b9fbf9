import { errorMessage } from './expect-argument';

/** BetterStack Telemetry API base URL. */
export const DEFAULT_API_URL = 'https://telemetry.betterstack.com';

/** Options shared by everything that talks to the BetterStack API. */
export interface BetterStackApiOptions {
  /** BetterStack Telemetry API token (Bearer). Never printed. */
  readonly token: string;
  /** @example 'https://telemetry.betterstack.com' */
  readonly apiUrl?: string;
  /** How many times a 429 / 502 / 503 / 504 is retried (default 4). */
  readonly maxRetries?: number;
  /** Longest wait before one retry, ms (default 30 000); a longer `Retry-After` fails at once. */
  readonly maxRetryWaitMillis?: number;
  /** Per-request timeout, ms (default 30 000). */
  readonly timeoutMillis?: number;
}

/**
 * A BetterStack request that failed: one line naming the step (`import`, `delete`, `list`…), what it
 * was for (`dashboard kira-be`) and why (status and the API's message, or the network error).
 */
export class ApplyError extends Error {
  override readonly name = 'ApplyError';
  /** Changes already made before this failure. */
  completed = 0;
  constructor(
    message: string,
    /** HTTP status; undefined for network errors and timeouts. */
    readonly status: number | undefined,
    readonly step: string,
    readonly target: string,
  ) {
    super(errorMessage(message));
  }
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/** A page of a BetterStack list endpoint (`pagination.next` is the next page's URL, or null). */
interface ListPage {
  data?: { id: string | number; type?: string; attributes?: Record<string, unknown> }[];
  pagination?: { next?: string | null };
}

export interface ListedResource {
  readonly id: string;
  readonly attributes: Record<string, unknown>;
}

/** What one API call is for, so a failure can say so. */
export interface CallContext {
  readonly step: string;
  readonly target: string;
}

/** Minimal BetterStack API client: Bearer auth, bounded retries on 429 with `Retry-After`, one-line errors. */
export class BetterStackClient {
  readonly base: string;
  private readonly token: string;
  private readonly maxRetries: number;
  private readonly maxRetryWaitMillis: number;
  private readonly timeoutMillis: number;

  constructor(options: BetterStackApiOptions) {
    if (typeof options.token !== 'string' || options.token === '') throw new TypeError('a BetterStack API token is required');
    this.token = options.token;
    this.base = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
    this.maxRetries = options.maxRetries ?? 4;
    this.maxRetryWaitMillis = options.maxRetryWaitMillis ?? 30_000;
    this.timeoutMillis = options.timeoutMillis ?? 30_000;
  }

  /** Sends one request; resolves to the parsed JSON body (undefined for 204). */
  async request<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', pathOrUrl: string, body: unknown, context: CallContext): Promise<T> {
    const url = pathOrUrl.startsWith('/') ? `${this.base}${pathOrUrl}` : pathOrUrl;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMillis),
        });
      } catch (error) {
        throw this.fail(`network error (${describeNetworkError(error)}) on ${method} ${url}`, undefined, context);
      }
      const text = await response.text().catch(() => '');
      if (response.ok) {
        if (text === '') return undefined as T;
        try {
          return JSON.parse(text) as T;
        } catch {
          throw this.fail(`${response.status} with a body that is not JSON on ${method} ${url}`, response.status, context);
        }
      }
      if (RETRYABLE.has(response.status) && attempt < this.maxRetries) {
        const wait = retryDelayMillis(response.headers.get('retry-after'), attempt);
        if (wait > this.maxRetryWaitMillis) {
          throw this.fail(`${response.status}${response.status === 429 ? ' rate limited' : ''}: Retry-After asks for ${Math.ceil(wait / 1000)} s, more than the ${this.maxRetryWaitMillis / 1000} s this run waits; run again later`, response.status, context);
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      throw this.fail(describeFailure(response.status, text, attempt), response.status, context);
    }
  }

  /** Every item of a paginated list, following `pagination.next` (same origin only, at most 200 pages). */
  async list(path: string, context: CallContext): Promise<ListedResource[]> {
    const items: ListedResource[] = [];
    const seen = new Set<string>();
    let next: string | null | undefined = `${this.base}${path}`;
    while (next) {
      if (seen.has(next) || seen.size >= 200) throw this.fail(`pagination did not end (${seen.size} pages)`, undefined, context);
      seen.add(next);
      const page: ListPage = await this.request<ListPage>('GET', next, undefined, context);
      for (const item of page?.data ?? []) items.push({ id: String(item.id), attributes: item.attributes ?? {} });
      next = page?.pagination?.next;
      // A next link to another host would receive the token: refuse it.
      if (next && new URL(next).origin !== new URL(this.base).origin) throw this.fail(`pagination.next points to another host (${new URL(next).origin})`, undefined, context);
    }
    return items;
  }

  private fail(reason: string, status: number | undefined, context: CallContext): ApplyError {
    const text = `${context.target} (${context.step}): ${reason}`.split(this.token).join('***');
    return new ApplyError(text, status, context.step, context.target);
  }
}

function retryDelayMillis(header: string | null, attempt: number): number {
  if (header !== null) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  return 1000 * 2 ** attempt;
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'no answer within the timeout';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

function describeFailure(status: number, text: string, retries: number): string {
  let message = text.slice(0, 300).replace(/\s+/g, ' ').trim();
  try {
    const parsed = JSON.parse(text) as { errors?: unknown; invalid_values?: Record<string, unknown>; required_attributes?: unknown };
    const parts = [typeof parsed.errors === 'string' ? parsed.errors : JSON.stringify(parsed.errors)];
    if (parsed.invalid_values) parts.push(Object.entries(parsed.invalid_values).map(([field, problems]) => `${field} ${[problems].flat().join(', ')}`).join('; '));
    if (Array.isArray(parsed.required_attributes)) parts.push(`missing ${parsed.required_attributes.join(', ')}`);
    message = parts.filter((part) => part !== undefined && part !== '').join(': ');
  } catch {
    // not JSON: keep the text
  }
  const what =
    status === 401 || status === 403
      ? `${status} — the API token was refused${message ? ` (${message})` : ''}; check BETTERSTACK_API_TOKEN and that it is a Telemetry API token of this team`
      : status === 422
        ? `422 validation failed${message ? `: ${message}` : ''}`
        : status === 429
          ? `429 rate limited${message ? ` (${message})` : ''}, still after ${retries} retries`
          : `${status}${message ? `: ${message}` : ''}`;
  return what;
}
