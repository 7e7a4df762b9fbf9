import { describe, expect, it } from 'vitest';
import { builtInAlerts } from './built-in-alerts';
import { builtInDashboards } from './built-in-dashboards';
import { UnsupportedDialectError } from './model-validation-error';
import { renderAlertSql, renderPanelSql } from './render-sql';
import type { Panel } from './types';

/**
 * The team's queries today, verbatim from the team's observability notes ("imgproxy Dashboard":
 * Worker 利用率, 内存使用, 处理中图片).
 */
const TEAM_QUERIES: Record<string, string> = {
  'worker-utilization': `SELECT
toStartOfInterval(dt, INTERVAL 1 minute) as time,
avgMerge(workers_utilization) * 100 as utilization
FROM {{source}}
WHERE dt BETWEEN {{start_time}} AND {{end_time}}
GROUP BY time
ORDER BY time`,
  memory: `SELECT
toStartOfInterval(dt, INTERVAL 1 minute) as time,
maxMerge(process_mb) as process_mb,
maxMerge(vips_mb) as vips_mb
FROM {{source}}
WHERE dt BETWEEN {{start_time}} AND {{end_time}}
GROUP BY time
ORDER BY time`,
  'in-progress': `SELECT
toStartOfInterval(dt, INTERVAL 1 minute) as time,
maxMerge(images_in_progress) as images,
maxMerge(requests_in_progress) as requests
FROM {{source}}
WHERE dt BETWEEN {{start_time}} AND {{end_time}}
GROUP BY time
ORDER BY time`,
};

const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();
const imgproxy = builtInDashboards.find((dashboard) => dashboard.id === 'kira-imgproxy');
const kiraBe = builtInDashboards.find((dashboard) => dashboard.id === 'kira-be');

describe('renderPanelSql', () => {
  it('renders the imgproxy panels in the legacy dialect exactly as the team queries them today (modulo whitespace)', () => {
    expect(imgproxy?.panels.map((panel) => panel.id)).toEqual(Object.keys(TEAM_QUERIES));
    for (const panel of imgproxy?.panels ?? []) {
      expect(squash(renderPanelSql(panel, { dialect: 'legacy' }))).toBe(squash(TEAM_QUERIES[panel.id] ?? ''));
    }
  });

  it('refuses a legacy rendering where the legacy sources have no such data', () => {
    for (const panel of kiraBe?.panels ?? []) {
      expect(() => renderPanelSql(panel, { dialect: 'legacy' })).toThrow(UnsupportedDialectError);
    }
    const minPanel: Panel = { id: 'x', title: 'x', unit: 'MiB', queries: [{ kind: 'gauge', metric: 'process_mb', aggregation: 'min' }] };
    expect(() => renderPanelSql(minPanel, { dialect: 'legacy' })).toThrow(/holds max states/);
    const noColumn: Panel = { id: 'x', title: 'x', unit: 'By', queries: [{ kind: 'gauge', metric: 'vips_memory_bytes' }] };
    expect(() => renderPanelSql(noColumn, { dialect: 'legacy' })).toThrow(/no legacy column/);
  });

  it('renders the unified dialect with BetterStack placeholders, long format and derived metrics from their source', () => {
    const memory = renderPanelSql(imgproxy?.panels[1] as Panel);
    expect(memory).toContain('{{time}} AS time');
    expect(memory).toContain('FROM {{source}}');
    expect(memory).toContain('dt BETWEEN {{start_time}} AND {{end_time}}');
    expect(memory).toContain("name = 'process_resident_memory_bytes'");
    expect(memory).toContain("'process_mb' AS series, toFloat64(maxMerge(value_max) / 1048576) AS value");
    expect(memory).toContain('UNION ALL');
    expect(memory.trim().endsWith('ORDER BY time, series')).toBe(true);

    const byRoute = renderPanelSql(kiraBe?.panels.find((panel) => panel.id === 'http-p95-by-route') as Panel);
    expect(byRoute).toContain("label('http_route') AS series");
    expect(byRoute).toContain('histogramQuantile(0.95)');
    const errors = renderPanelSql(kiraBe?.panels.find((panel) => panel.id === 'http-5xx-rate') as Panel);
    expect(errors).toContain("(toFloat64OrNull(label('http_status_code')) >= 500) AS matched");
  });

  it('escapes tag values and names as SQL string literals', () => {
    const panel: Panel = {
      id: 'x',
      title: 'x',
      unit: '%',
      queries: [{ kind: 'ratio', metric: 'ai_tool_executions', match: [{ label: "tool'name", operator: '=', value: "it's\\" }], series: "o'k" }],
    };
    const sql = renderPanelSql(panel);
    expect(sql).toContain("label('tool\\'name') = 'it\\'s\\\\'");
    expect(sql).toContain("'o\\'k' AS series");
  });
});

describe('renderAlertSql', () => {
  it('renders per-minute time/value queries, and the legacy column form for imgproxy alerts', () => {
    const memory = builtInAlerts.find((alert) => alert.id === 'imgproxy-memory-critical');
    expect(squash(renderAlertSql(memory!, { dialect: 'legacy' }))).toBe(
      squash(`SELECT toStartOfInterval(dt, INTERVAL 1 minute) as time, maxMerge(process_mb) as value FROM {{source}}
        WHERE dt BETWEEN {{start_time}} AND {{end_time}} GROUP BY time ORDER BY time`),
    );
    const unified = renderAlertSql(memory!);
    expect(unified).toMatch(/^SELECT \{\{time\}\} AS time, toFloat64\(maxMerge\(value_max\) \/ 1048576\) AS value/);
    expect(unified).not.toContain('series');
    const ratio = builtInAlerts.find((alert) => alert.id === 'kira-be-http-5xx-rate');
    expect(() => renderAlertSql(ratio!, { dialect: 'legacy' })).toThrow(UnsupportedDialectError);
  });
});
