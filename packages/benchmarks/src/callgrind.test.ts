import { describe, expect, it } from 'vitest';
import { CallgrindFormatError, parseCallgrind, perRequest, ranMarkCompact, splitV8Work, v8WorkOf } from './callgrind.ts';

// Profiles written by hand in callgrind's format (https://valgrind.org/docs/manual/cl-format.html):
// compressed names defined once and reused, a call whose next line is the callee's inclusive
// cost, relative (+1) and repeated (*) positions, and counters left off at the end of a line.
const SCAVENGE_PAGE = 'v8::internal::Scavenger::ScavengePage(v8::internal::MutablePageMetadata*)';
const GRAPH_REDUCE = 'v8::internal::compiler::GraphReducer::Reduce(v8::internal::compiler::Node*)';

function profile(events: string, body: string, totals?: string): string {
  return [
    '# callgrind format',
    'version: 1',
    'creator: callgrind-3.19.0',
    'cmd:  node --expose-gc server.ts',
    'part: 1',
    'desc: I1 cache: 32768 B, 64 B, 8-way associative',
    'positions: line',
    `events: ${events}`,
    '',
    'ob=(1) /usr/bin/node',
    'fl=(1) ???',
    body,
    ...(totals === undefined ? [] : ['', `totals: ${totals}`]),
    '',
  ].join('\n');
}

const MAIN_AND_CALLEES = [
  'fn=(1) main',
  '16 20 1',
  '+1 400 3',
  'cfl=(1)',
  `cfn=(2) ${SCAVENGE_PAGE}`,
  'calls=1 50',
  '17 400 7',
  `fn=(2)`,
  '50 300 5',
  '* 100 2',
  'fn=(3) 0x0000000012345678',
  '3 7',
  `fn=(4) ${GRAPH_REDUCE}`,
  '1 5 1',
].join('\n');

describe('parseCallgrind', () => {
  it("adds each function's self cost, leaving out the inclusive cost of its calls", () => {
    const parsed = parseCallgrind(profile('Ir ILmr', MAIN_AND_CALLEES, '832 12'));
    expect(parsed.events).toEqual(['Ir', 'ILmr']);
    expect(Object.fromEntries(parsed.selfCost)).toEqual({
      main: [420, 4],
      [SCAVENGE_PAGE]: [400, 7],
      // A counter left off at the end of a line is zero.
      '0x0000000012345678': [7, 0],
      [GRAPH_REDUCE]: [5, 1],
    });
  });

  it("checks the self costs against the dump's totals line", () => {
    // 1232 would be right if the call's inclusive cost (400) were taken as main's self cost.
    expect(() => parseCallgrind(profile('Ir ILmr', MAIN_AND_CALLEES, '1232 19'))).toThrow(new CallgrindFormatError('the self costs of Ir add up to 832, the totals: line says 1232'));
  });

  it('reads instruction addresses as positions with --dump-instr=yes', () => {
    const parsed = parseCallgrind(profile('Ir', ['fn=(1) main', '0x401000 16 3', '+4 * 2'].join('\n')).replace('positions: line', 'positions: instr line'));
    expect(parsed.selfCost.get('main')).toEqual([5]);
  });

  it.each([
    ['a name used before it is defined', profile('Ir', 'fn=(9)\n1 2'), 'name (9) used before it was defined (line 12: fn=(9))'],
    ['a cost line before any function', profile('Ir', '1 2'), 'a cost line before any fn= (line 12: 1 2)'],
    ['jump lines', profile('Ir', 'fn=(1) main\njump=3 20\n1 2'), 'jump lines (--collect-jumps=yes) are not supported'],
    ['a counter that is not a number', profile('Ir', 'fn=(1) main\n1 2x'), 'not a counter: 2x'],
    ['text that is not a profile', 'hello\n', 'unrecognised line (line 1: hello)'],
    ['a file without events', '# callgrind format\nversion: 1\n', 'no events: header'],
  ])('refuses %s with a CallgrindFormatError', (_what, text, message) => {
    expect(() => parseCallgrind(text)).toThrow(CallgrindFormatError);
    expect(() => parseCallgrind(text)).toThrow(message);
  });
});

describe('splitV8Work and perRequest', () => {
  it("sets V8's collector and compiler apart from the rest, JIT code included in the rest", () => {
    const totals = splitV8Work(parseCallgrind(profile('Ir ILmr', MAIN_AND_CALLEES)));
    expect(totals.own).toEqual([427, 4]);
    expect(totals.collector).toEqual([400, 7]);
    expect(totals.compiler).toEqual([5, 1]);
  });

  it('divides by the requests, with the L1 and last-level misses summed over code and data', () => {
    const events = 'Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw';
    const body = ['fn=(1) main', '1 4000 900 500 80 40 20 12 8 4', `fn=(2) ${GRAPH_REDUCE}`, '1 2000 0 0 0 0 0 0 0 0'].join('\n');
    expect(perRequest(splitV8Work(parseCallgrind(profile(events, body))), 4)).toEqual({
      instructions: 1000,
      l1Misses: 35,
      lastLevelMisses: 6,
      lastLevelCodeMisses: 3,
      lastLevelDataMisses: 3,
      collectorInstructions: 0,
      compilerInstructions: 500,
    });
  });

  it('refuses a profile made without the cache simulation', () => {
    expect(() => perRequest(splitV8Work(parseCallgrind(profile('Ir', 'fn=(1) main\n1 5'))), 1)).toThrow('the profile has no I1mr event (was callgrind run with --cache-sim=yes?)');
  });

  // Names as callgrind printed them for a Hono server on Node 24 (V8 13).
  it.each([
    ['void v8::internal::MarkingVisitorBase<v8::internal::MainMarkingVisitor>::ProcessStrongHeapObject<v8::internal::FullHeapObjectSlot>(v8::internal::Tagged<v8::internal::HeapObject>)', 'collector'],
    ['v8::internal::(anonymous namespace)::IterateObjectCache(v8::internal::Isolate*, std::vector<v8::internal::Tagged<v8::internal::Object>>*, v8::internal::Root, v8::internal::RootVisitor*)', 'collector'],
    ['v8::internal::Sweeper::RawSweep(v8::internal::PageMetadata*, v8::internal::FreeSpaceTreatmentMode, v8::internal::Sweeper::SweepingMode, bool)', 'collector'],
    ['void v8::internal::BodyDescriptorBase::IteratePointers<v8::internal::RecordMigratedSlotVisitor>(v8::internal::Tagged<v8::internal::HeapObject>, int, int, v8::internal::RecordMigratedSlotVisitor*)', 'collector'],
    ['v8::internal::EvacuateNewToOldSpacePageVisitor::Visit(v8::internal::Tagged<v8::internal::HeapObject>, int)', 'collector'],
    [GRAPH_REDUCE, 'compiler'],
    ['v8::internal::compiler::LinearScanAllocator::ForwardStateTo(v8::internal::compiler::LifetimePosition)', 'compiler'],
    ['v8::internal::maglev::MaglevGraphBuilder::VisitSingleBytecode()', 'compiler'],
    // The request's own work, even where a name mentions a parser, the heap or a visitor's argument.
    ['node::http_parser::Parser::on_headers_complete()', 'own'],
    ['llhttp__internal__run', 'own'],
    ['Builtins_KeyedStoreIC', 'own'],
    ['node::async_context_frame::set(v8::Isolate*, v8::Local<v8::Value>)', 'own'],
    ['v8::internal::Factory::AllocateRaw(int, v8::internal::AllocationType, v8::internal::AllocationAlignment)', 'own'],
    ['v8::internal::HeapObject::SizeFromMap(v8::internal::Tagged<v8::internal::Map>) const', 'own'],
    ['0x000000000a3f2c10', 'own'],
  ])('puts %s with the %s', (name, expected) => {
    expect(v8WorkOf(name)).toBe(expected);
  });
});

describe('ranMarkCompact', () => {
  const markCompact = 'std::pair<unsigned long, unsigned long> v8::internal::MarkCompactCollector::ProcessMarkingWorklist<(v8::internal::MarkCompactCollector::MarkingWorklistProcessingMode)0>(unsigned long)';
  it('tells a count with a whole-heap collection from one with only young-generation ones', () => {
    expect(ranMarkCompact(parseCallgrind(profile('Ir', `fn=(1) main\n1 5\nfn=(2) ${SCAVENGE_PAGE}\n1 9`)))).toBe(false);
    expect(ranMarkCompact(parseCallgrind(profile('Ir', `fn=(1) main\n1 5\nfn=(2) ${markCompact}\n1 9`)))).toBe(true);
    // Named in the dump (as a callee of an earlier stretch, say) but without cost in this one.
    expect(ranMarkCompact(parseCallgrind(profile('Ir', `fn=(1) main\n1 5\nfn=(2) ${markCompact}\n1 0`)))).toBe(false);
  });
});
