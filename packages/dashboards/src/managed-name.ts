/**
 * BetterStack lists dashboards and explorations with their name only, so the stable key of an
 * object this package manages lives at the end of its name: `kira-be [kira-dashboards:kira-be]`,
 * `[alert] HTTP p95 [kira-dashboards:alert/kira-be-http-p95]`. The key is the model's id, so a new
 * title in the code updates the same object instead of leaving the old one behind; a name without
 * the marker is never touched.
 */
const MARKER = /\s*\[kira-dashboards:([^\]\s]+)\]\s*$/;

export type ManagedKey = { readonly kind: 'dashboard' | 'alert'; readonly id: string };

export function managedDashboardName(id: string, title: string): string {
  return `${title} [kira-dashboards:${id}]`;
}

export function managedAlertExplorationName(id: string, name: string): string {
  return `[alert] ${name} [kira-dashboards:alert/${id}]`;
}

/** The key in a managed name, or undefined for names this package does not own. */
export function parseManagedName(name: unknown): ManagedKey | undefined {
  if (typeof name !== 'string') return undefined;
  const key = MARKER.exec(name)?.[1];
  if (key === undefined) return undefined;
  return key.startsWith('alert/') ? { kind: 'alert', id: key.slice('alert/'.length) } : { kind: 'dashboard', id: key };
}
