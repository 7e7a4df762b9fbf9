import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  /** `function (package/file:line)`. */
  frame: string;
  /** Share of all samples spent in this function itself. */
  selfShare: number;
  /** Share of samples with this function anywhere on the stack. */
  totalShare: number;
}

/** The functions that cost most in a `--cpu-prof` profile, by self time and by inclusive time. */
export function summarizeProfile(path: string, top = 25): { self: ProfileEntry[]; total: ProfileEntry[]; samples: number } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const id of profile.samples) {
    const node = byId.get(id)!;
    const frame = label(node);
    self.set(frame, (self.get(frame) ?? 0) + 1);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const name = label(byId.get(current)!);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + 1);
    }
  }
  const count = profile.samples.length;
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, hits]) => ({ frame, selfShare: (self.get(frame) ?? 0) / count, totalShare: (total.get(frame) ?? 0) / count }));
  return { self: rank(self), total: rank(total), samples: count };
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^file:\/\//, '').replace(/.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/.*\/packages\//, '@kira/');
  return `${functionName || '(anonymous)'}${short ? ` (${short}:${lineNumber + 1})` : ''}`;
}
