const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flushes telemetry when the process is asked to stop, without taking the decision to exit
 * away from the host.
 *
 * Adding a SIGTERM/SIGINT listener suppresses Node's default "terminate" action. So:
 * - if the host has its own listener for that signal, we only flush what is queued: the host
 *   decides when the process ends (typically by closing its servers and letting in-flight
 *   requests finish). Shutting the SDK down now would drop the spans and logs those requests have
 *   yet to end, so the final flush and shutdown wait for 'beforeExit' (a host that calls
 *   `process.exit()` itself must `await telemetry.shutdown()` first);
 * - if ours is the only listener, after the flush we remove it and raise the signal again, so
 *   the process ends exactly as it would have without us (killed by the signal).
 * Our listener is prepended so it sees the host's `once` listeners before they remove themselves.
 * A second signal while flushing, with no host listener, terminates immediately.
 *
 * A process that simply runs out of work ('beforeExit') also flushes, so short scripts deliver
 * their telemetry. ('beforeExit' is not emitted for `process.exit()` or fatal errors.)
 *
 * @returns a function that removes the listeners (used by `shutdown()`).
 */
export function installExitHandlers(
  flushAndShutdown: () => Promise<void>,
  flush: () => Promise<void>,
  timeoutMillis: number,
): () => void {
  const listeners = new Map<NodeJS.Signals, () => void>();
  let flushing = false;

  const onBeforeExit = (): void => {
    // The flush schedules work, so the loop runs again; shutdown() removes this listener first.
    process.removeListener('beforeExit', onBeforeExit);
    flushing = true;
    void withTimeout(flushAndShutdown(), timeoutMillis, true);
  };
  process.on('beforeExit', onBeforeExit);

  const uninstall = (): void => {
    for (const [signal, listener] of listeners) process.removeListener(signal, listener);
    listeners.clear();
    process.removeListener('beforeExit', onBeforeExit);
  };

  const reraise = (signal: NodeJS.Signals): void => {
    uninstall();
    process.kill(process.pid, signal);
  };

  for (const signal of SIGNALS) {
    const listener = (): void => {
      const hostListens = process.listeners(signal).some((other) => other !== listener);
      if (hostListens) {
        void withTimeout(flush(), timeoutMillis, true);
        return;
      }
      if (flushing) {
        reraise(signal);
        return;
      }
      flushing = true;
      void withTimeout(flushAndShutdown(), timeoutMillis, false).then(() => reraise(signal));
    };
    listeners.set(signal, listener);
    process.prependListener(signal, listener);
  }
  return uninstall;
}

function withTimeout(work: Promise<void>, timeoutMillis: number, unrefTimer: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMillis);
    // When the host owns the exit, the bound must not keep a finished process alive; when we
    // re-raise the signal, it must, or a quiet event loop would exit 0 instead of by the signal.
    if (unrefTimer) timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
