import { FOLDED_TOOL_NAME } from '@kira/conventions';

/**
 * Caps the distinct `tool_name` metric values: the first `max` names are kept, later new names
 * fold into `other` so a bug that puts ids in tool names cannot explode the metric series.
 * `onFold` runs at every fold; the caller's report-once policy decides what is printed.
 */
export function createToolNameGuard(max: number, onFold: (max: number) => void): (toolName: string) => string {
  const known = new Set<string>();
  return (toolName) => {
    if (known.has(toolName)) return toolName;
    if (known.size < max) {
      known.add(toolName);
      return toolName;
    }
    onFold(max);
    return FOLDED_TOOL_NAME;
  };
}
