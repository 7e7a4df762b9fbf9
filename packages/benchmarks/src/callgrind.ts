// Reads the profiles valgrind's callgrind writes, for the cache count (cache-count.ts): the self
// cost of each function, then the per-request totals with V8's collector and optimizing compiler
// set apart. The format is callgrind's "Callgrind Format Specification", version 1:
// https://valgrind.org/docs/manual/cl-format.html

/** One callgrind profile (one dump): the event names and each function's self cost. */
export interface CallgrindProfile {
  /** The `events:` header, e.g. Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw with `--cache-sim=yes`. */
  events: string[];
  /** Self cost per function name (callgrind's `fn=` name), one counter per event. */
  selfCost: Map<string, number[]>;
}

/** A malformed or unsupported profile; the message names the line. */
export class CallgrindFormatError extends Error {
  override name = 'CallgrindFormatError';
}

// Cost lines begin with a position: a number, a relative one (+n, -n), `*` (same as before), or
// a hexadecimal address with `--dump-instr=yes`.
const COST_LINE = /^(?:[0-9]|[+*-]|0x)/;
// `fn=(12) name` defines id 12, `fn=(12)` reuses it, `fn=name` has no compression.
const COMPRESSED_NAME = /^\((\d+)\)(?:\s(.*))?$/;

/**
 * Parses a callgrind profile into each function's self cost. A cost line counts for the current
 * `fn=` unless it follows a `calls=` line: that line is the call's inclusive cost, which is already
 * in the callee's own self cost. `fn=` and `cfn=` share one table of compressed names.
 */
export function parseCallgrind(text: string): CallgrindProfile {
  let events: string[] | undefined;
  let positionCount = 1;
  const functionNames = new Map<string, string>();
  const selfCost = new Map<string, number[]>();
  let current: number[] | undefined;
  let nextLineIsCallCost = false;
  let totals: number[] | undefined;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trimEnd();
    if (line === '' || line.startsWith('#')) continue;
    const where = () => `line ${index + 1}: ${line.slice(0, 80)}`;
    if (COST_LINE.test(line)) {
      if (events === undefined) throw new CallgrindFormatError(`a cost line before the events: header (${where()})`);
      if (nextLineIsCallCost) {
        nextLineIsCallCost = false;
        continue;
      }
      if (current === undefined) throw new CallgrindFormatError(`a cost line before any fn= (${where()})`);
      const fields = line.split(/\s+/);
      // Counters left off at the end of a line are zero (the specification's own rule).
      for (let event = 0; event < events.length; event++) {
        const field = fields[positionCount + event];
        if (field === undefined) break;
        const value = Number(field);
        if (!Number.isFinite(value)) throw new CallgrindFormatError(`not a counter: ${field} (${where()})`);
        current[event]! += value;
      }
      continue;
    }
    const separator = line.indexOf('=');
    const colon = line.indexOf(':');
    if (separator !== -1 && (colon === -1 || separator < colon)) {
      const key = line.slice(0, separator);
      const value = line.slice(separator + 1);
      if (key === 'fn' || key === 'cfn') {
        const name = resolveName(functionNames, value, where);
        if (key === 'fn') {
          if (events === undefined) throw new CallgrindFormatError(`fn= before the events: header (${where()})`);
          current = selfCost.get(name);
          if (current === undefined) {
            current = new Array<number>(events.length).fill(0);
            selfCost.set(name, current);
          }
        }
      } else if (key === 'calls') {
        nextLineIsCallCost = true;
      } else if (key === 'jump' || key === 'jcnd') {
        throw new CallgrindFormatError(`jump lines (--collect-jumps=yes) are not supported (${where()})`);
      }
      // ob=, fl=, fi=, fe=, cob=, cfi=, cfl=: objects and files, not needed for self costs.
      continue;
    }
    if (colon !== -1) {
      const key = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      if (key === 'events') {
        if (events !== undefined) throw new CallgrindFormatError(`a second events: header (${where()}): one dump per file is read`);
        events = value.split(/\s+/);
      } else if (key === 'positions') {
        positionCount = value.split(/\s+/).length;
      } else if (key === 'totals') {
        totals = value.split(/\s+/).map(Number);
      }
      // version, creator, pid, cmd, part, desc, summary: not needed.
      continue;
    }
    throw new CallgrindFormatError(`unrecognised line (${where()})`);
  }
  if (events === undefined) throw new CallgrindFormatError('no events: header (is this a callgrind profile?)');
  // callgrind ends a dump with the sum of all its costs: every self cost read must add up to it,
  // or a line was misread (a call's cost taken as self cost, a position taken as a counter).
  if (totals !== undefined) {
    for (let event = 0; event < events.length; event++) {
      let sum = 0;
      for (const cost of selfCost.values()) sum += cost[event]!;
      const expected = totals[event] ?? 0;
      if (sum !== expected) throw new CallgrindFormatError(`the self costs of ${events[event]} add up to ${sum}, the totals: line says ${expected}`);
    }
  }
  return { events, selfCost };
}

function resolveName(names: Map<string, string>, value: string, where: () => string): string {
  const compressed = COMPRESSED_NAME.exec(value);
  if (compressed === null) return value;
  const [, id, name] = compressed;
  if (name !== undefined) {
    names.set(id!, name);
    return name;
  }
  const known = names.get(id!);
  if (known === undefined) throw new CallgrindFormatError(`name (${id}) used before it was defined (${where()})`);
  return known;
}

/**
 * V8's garbage collector: the scavenger, the mark-compact collector, the sweeper, their root and
 * object visitors, and the heap's page bookkeeping. How many collections fall into a counted
 * stretch differs between two processes of one setup (each sizes its young generation by
 * itself), so the collector is counted apart from the request's own work.
 */
export const V8_COLLECTOR_FUNCTION =
  /\bv8::internal::[^(\s]*(?:Heap::|Scaveng|MarkCompact|Marking|MarkBit|Sweep|Evacuat|RememberedSet|SlotSet|WriteBarrier|GlobalHandles|MemoryAllocator|PagedSpace|SemiSpace|NewSpace::|GCTracer|Visitor|BodyDescriptor)|\bIterateObjectCache\b|\bv8::internal::(?:Isolate|HandleScopeImplementer|Builtins)::Iterate/;

/**
 * V8's compilers above the interpreter (Sparkplug, Maglev, Turbofan), the bytecode generator of
 * lazily compiled functions, and the zones they allocate from. A server keeps compiling for a
 * while after any warm-up valgrind can afford, where natively it has stopped (the docs'
 * "Cache misses, counted"), so this work is counted apart too.
 */
export const V8_COMPILER_FUNCTION =
  /\bv8::internal::(?:compiler|maglev|baseline|interpreter)::|\bv8::internal::(?:Compiler|OptimizingCompileDispatcher|OptimizedCompilationInfo|Zone|AccountingAllocator)::/;

/** Whether V8 ran a whole-heap collection (a mark-compact) within the profile's stretch. */
export function ranMarkCompact(profile: CallgrindProfile): boolean {
  for (const [name, cost] of profile.selfCost) {
    if (/\bv8::internal::MarkCompactCollector::/.test(name) && cost.some((value) => value > 0)) return true;
  }
  return false;
}

/** A profile's totals, split into the request's own work, V8's collector and its compiler. */
export interface CallgrindTotals {
  events: string[];
  /** Everything but the collector and the compiler (JIT code, builtins, Node, libc, the kernel's entry points). */
  own: number[];
  collector: number[];
  compiler: number[];
}

/** Which part of a profile's totals a function's self cost goes to. */
export function v8WorkOf(functionName: string): 'own' | 'collector' | 'compiler' {
  // JIT code is named by its address (0x…): it is JavaScript, never the collector or the compiler.
  if (functionName.startsWith('0x')) return 'own';
  // The compiler first: its graph visitors and markers are not the collector's.
  if (V8_COMPILER_FUNCTION.test(functionName)) return 'compiler';
  return V8_COLLECTOR_FUNCTION.test(functionName) ? 'collector' : 'own';
}

export function splitV8Work(profile: CallgrindProfile): CallgrindTotals {
  const zero = () => new Array<number>(profile.events.length).fill(0);
  const totals: CallgrindTotals = { events: profile.events, own: zero(), collector: zero(), compiler: zero() };
  for (const [name, cost] of profile.selfCost) {
    const target = totals[v8WorkOf(name)];
    for (let event = 0; event < cost.length; event++) target[event]! += cost[event]!;
  }
  return totals;
}

/** Per-request figures of one counted stretch (the request's own work only). */
export interface CachePerRequest {
  instructions: number;
  /** Misses of the simulated L1 caches, instruction and data (I1mr + D1mr + D1mw). */
  l1Misses: number;
  /** Misses of the simulated last-level cache (ILmr + DLmr + DLmw), and their code and data parts. */
  lastLevelMisses: number;
  lastLevelCodeMisses: number;
  lastLevelDataMisses: number;
  /** The collector's and the compiler's instructions in the same stretch, per request. */
  collectorInstructions: number;
  compilerInstructions: number;
}

const CACHE_EVENTS = ['Ir', 'I1mr', 'D1mr', 'D1mw', 'ILmr', 'DLmr', 'DLmw'] as const;

/** Divides a profile's totals by the requests counted. Needs a `--cache-sim=yes` profile. */
export function perRequest(totals: CallgrindTotals, requests: number): CachePerRequest {
  const column = (event: (typeof CACHE_EVENTS)[number]) => {
    const index = totals.events.indexOf(event);
    if (index === -1) throw new CallgrindFormatError(`the profile has no ${event} event (was callgrind run with --cache-sim=yes?)`);
    return index;
  };
  const [ir, i1mr, d1mr, d1mw, ilmr, dlmr, dlmw] = CACHE_EVENTS.map(column) as [number, number, number, number, number, number, number];
  const per = (values: number[], ...indexes: number[]) => indexes.reduce((sum, index) => sum + values[index]!, 0) / requests;
  return {
    instructions: per(totals.own, ir),
    l1Misses: per(totals.own, i1mr, d1mr, d1mw),
    lastLevelMisses: per(totals.own, ilmr, dlmr, dlmw),
    lastLevelCodeMisses: per(totals.own, ilmr),
    lastLevelDataMisses: per(totals.own, dlmr, dlmw),
    collectorInstructions: per(totals.collector, ir),
    compilerInstructions: per(totals.compiler, ir),
  };
}
