import { readFileSync } from 'node:fs';

/**
 * The team's dashboard queries by heading (`Worker 利用率`, `内存使用`, `处理中图片`, and the generic
 * template under `查询语法`), exactly as `fixtures/team-notes-queries.md` holds them: that file is
 * copied verbatim from the team's notes, so tests run the notes' text, never a re-typed copy.
 */
export function teamNotesQueries(): Map<string, string> {
  const text = readFileSync(new URL('../../fixtures/team-notes-queries.md', import.meta.url), 'utf8');
  const queries = new Map<string, string>();
  for (const match of text.matchAll(/^## (.+)\n\n```sql\n([\s\S]*?)\n```$/gm)) queries.set(match[1] as string, match[2] as string);
  return queries;
}

/** Heading in the notes → panel id of the kira-imgproxy dashboard in @kira/dashboards. */
export const PANEL_OF_NOTES_QUERY: Readonly<Record<string, string>> = { 'Worker 利用率': 'worker-utilization', 内存使用: 'memory', 处理中图片: 'in-progress' };
