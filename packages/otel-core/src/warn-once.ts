const printed = new Set<string>();

/**
 * Prints a configuration warning once per process. Configuration problems must be visible
 * without a diag logger (nobody installs one in production), so they go to stderr directly.
 */
export function warnOnce(message: string): void {
  if (printed.has(message)) return;
  printed.add(message);
  try {
    console.warn(message);
  } catch {
    // A closed stderr must not break the host.
  }
}
