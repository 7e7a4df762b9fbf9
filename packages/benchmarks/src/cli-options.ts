/**
 * A command-line option that must be a positive number (or whole number). A bad value stops the
 * command with the option's name and the value given, before anything runs or is written.
 */
export function positiveNumber(name: string, value: string, { integer = false } = {}): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new Error(`--${name} must be a positive ${integer ? 'whole number' : 'number'}, not "${value}"`);
  }
  return number;
}

/** A command-line option that must be a fraction from 0 to 1, both included (a sampling ratio). */
export function ratio(name: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) throw new Error(`--${name} must be a number from 0 to 1, not "${value}"`);
  return number;
}

/**
 * Prints a command's usage and ends it, before anything runs or is written, when its command line
 * asks for help (`--help` or `-h`; `parseArgs` would refuse them as unknown options).
 */
export function printUsageIfAsked(argv: readonly string[], usage: string): void {
  if (!argv.includes('--help') && !argv.includes('-h')) return;
  console.log(usage);
  process.exit(0);
}
