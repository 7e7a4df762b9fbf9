import { FOLDED_TOOL_NAME } from '@kira/conventions';

/**
 * Caps the distinct `tool_name` metric values: the first `max` names are kept, later new names
 * fold into `other` so a bug that puts ids in tool names cannot explode the metric series.
 */
export function createToolNameGuard(max: number, onFirstFold: (max: number) => void): (toolName: string) => string {
  const known = new Set<string>();
  let warned = false;
  return (toolName) => {
    if (known.has(toolName)) return toolName;
    if (known.size < max) {
      known.add(toolName);
      return toolName;
    }
    if (!warned) {
      warned = true;
      onFirstFold(max);
    }
    return FOLDED_TOOL_NAME;
  };
}
