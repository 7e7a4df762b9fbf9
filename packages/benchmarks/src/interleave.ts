/** One thing measured once per round; returns the figure(s) of that measurement. */
export interface Subject<T> {
  name: string;
  measure(round: number): Promise<T>;
}

export interface InterleaveOptions {
  rounds: number;
  /** Measurements per subject thrown away before round 0 (JIT, connection pools, caches). */
  warmupRounds?: number;
  onMeasured?: (subject: string, round: number, value: unknown) => void;
}

/**
 * Runs every subject once per round, rotating the order each round so no subject always runs
 * first (after an idle pause) or last (after the others heated the machine). Returns the
 * measurements per subject, index = round.
 */
export async function runInterleaved<T>(subjects: readonly Subject<T>[], options: InterleaveOptions): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(subjects.map((subject) => [subject.name, []]));
  for (let warmup = 0; warmup < (options.warmupRounds ?? 0); warmup++) {
    for (const subject of subjects) await subject.measure(-1 - warmup);
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let offset = 0; offset < subjects.length; offset++) {
      const subject = subjects[(round + offset) % subjects.length]!;
      const value = await subject.measure(round);
      results.get(subject.name)!.push(value);
      options.onMeasured?.(subject.name, round, value);
    }
  }
  return results;
}
