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

export interface ProfileSummary {
  /** CPU time of the profile outside `(idle)`, ms. */
  busyMs: number;
  /** Self time per package (or `node:` module / native frame), share of busy time. */
  byPackage: Array<{ name: string; share: number }>;
  /** Functions with this share of busy time anywhere on their stack (inclusive), largest first. */
  inclusive: Array<{ frame: string; share: number }>;
}

/**
 * Reads a `--cpu-prof` profile and says where the busy (non-idle) time went: by package, and
 * inclusively by function for frames whose package matches `focus` (e.g. telemetry packages).
 */
export function summarizeProfile(path: string, focus: RegExp = /@opentelemetry|@kira|otel-|metrics\//, top = 30): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  let busy = 0;
  const packages = new Map<string, number>();
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') return;
    const delta = profile.timeDeltas[index] ?? 0;
    busy += delta;
    const name = packageOf(node);
    packages.set(name, (packages.get(name) ?? 0) + delta);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current)!;
      if (!focus.test(frame.callFrame.url)) continue;
      const label = labelOf(frame);
      if (seen.has(label)) continue;
      seen.add(label);
      inclusive.set(label, (inclusive.get(label) ?? 0) + delta);
    }
  });
  const ranked = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    busyMs: busy / 1000,
    byPackage: ranked(packages).map(([name, time]) => ({ name, share: time / busy })),
    inclusive: ranked(inclusive).map(([frame, time]) => ({ frame, share: time / busy })),
  };
}

function packageOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  const dependency = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  if (dependency) return dependency[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const workspace = url.match(/\/packages\/([^/]+)\//);
  if (workspace) return `@kira/${workspace[1]}`;
  return functionName || '(native)';
}

function labelOf(node: ProfileNode): string {
  const { url, functionName, lineNumber } = node.callFrame;
  const short = url.replace(/^file:\/\//, '').replace(/.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/.*\/packages\//, '@kira/');
  return `${functionName || '(anonymous)'} (${short}:${lineNumber + 1})`;
}
