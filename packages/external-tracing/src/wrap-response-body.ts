// Statuses whose Response cannot carry a body (the constructor would throw).
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/** How a wrapped body stream ended. */
export type BodyEnd = { kind: 'done' } | { kind: 'cancelled' } | { kind: 'failed'; error: unknown };

/**
 * Returns a copy of `response` whose body passes every chunk through unchanged and calls `onEnd`
 * exactly once when the stream is read to the end, fails, or is cancelled — or `undefined` when
 * there is no body to wait for. `highWaterMark: 0` means nothing is read ahead of the consumer,
 * so streaming and back-pressure behave as with the original body.
 */
export function wrapResponseBody(response: Response, onEnd: (end: BodyEnd) => void): Response | undefined {
  const source = response.body;
  const { status } = response;
  if (source === null || source.locked || NULL_BODY_STATUSES.has(status) || status < 200 || status > 599) {
    return undefined;
  }
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let ended = false;
  const end = (how: BodyEnd): void => {
    if (ended) return;
    ended = true;
    onEnd(how);
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        reader ??= source.getReader();
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          end({ kind: 'failed', error });
          controller.error(error);
          return;
        }
        if (chunk.done) {
          // End first, so the span is over by the time the consumer sees the end of the stream.
          end({ kind: 'done' });
          controller.close();
          return;
        }
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        end({ kind: 'cancelled' });
        return reader ? reader.cancel(reason) : source.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const wrapped = new Response(body, { status, statusText: response.statusText, headers: response.headers });
  // The constructor cannot set these; callers that check response.url or redirected must still
  // see the real values.
  Object.defineProperties(wrapped, {
    url: { value: response.url, enumerable: true },
    redirected: { value: response.redirected, enumerable: true },
    type: { value: response.type, enumerable: true },
  });
  return wrapped;
}
