// The collector page: plain ES module, no build step. Every value shown comes from telemetry that
// anyone on the network could have sent, so the DOM is built with textContent/setAttribute only;
// innerHTML is never given data.

const REFRESH_MS = 5000;
const SVG_NS = 'http://www.w3.org/2000/svg';
const PALETTE = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4b5563'];
const RANGES = ['15m', '1h', '6h'];
const HEX_ID = /^[0-9a-f]{16,32}$/;

const state = {
  range: RANGES.includes(localStorage.getItem('kira.range') ?? '') ? localStorage.getItem('kira.range') : '15m',
  openTraces: new Set(),
  /** Trace named in the URL (#trace=…): always fetched and kept open. */
  focusTrace: undefined,
  scrollToFocus: false,
  /** Until the user opens or closes a trace, the newest one is shown open. */
  tracesTouched: false,
  /** Panels whose SQL is shown (`dashboard/panel`), kept across refreshes. */
  openSql: new Set(),
  timer: undefined,
};

/** Creates an element with attributes and children; strings become text nodes. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') element.className = String(value);
    // CSSOM, not a style attribute: the page's CSP forbids inline style attributes.
    else if (name === 'style' && typeof value === 'object') Object.assign(element.style, value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function text(value) {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (response.status === 401) throw new Error('unauthorized: open /?token=<collector token>');
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

// ---------- formatting ----------

function formatNumber(value) {
  if (!Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) return `${trim(value / 1e9)}G`;
  if (magnitude >= 1e6) return `${trim(value / 1e6)}M`;
  if (magnitude >= 1e4) return `${trim(value / 1e3)}k`;
  if (magnitude >= 100) return String(Math.round(value));
  if (magnitude >= 1) return trim(value);
  if (magnitude === 0) return '0';
  return value.toPrecision(2);
}

function trim(value) {
  return String(Number(value.toFixed(value >= 100 ? 0 : 2)));
}

function formatClock(ms, withSeconds = false) {
  const date = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return withSeconds ? `${clock}:${pad(date.getSeconds())}` : clock;
}

function formatDuration(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function traceLink(traceId) {
  if (typeof traceId !== 'string' || !HEX_ID.test(traceId)) return '';
  return h('a', { href: `#trace=${traceId}`, className: 'trace-link', title: traceId }, traceId.slice(0, 8));
}

// ---------- charts ----------

/**
 * Draws series as an inline SVG line chart. `series` = [{ name, points: [[timeMs, value], ...] }];
 * the x axis spans [start, end] so charts of one range line up.
 */
export function drawLineChart(series, { start, end, width = 560, height = 200 }) {
  const margin = { top: 10, right: 12, bottom: 22, left: 44 };
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  let min = Math.min(0, ...values);
  let max = Math.max(...values, 0);
  if (max === min) max = min + 1;
  const ticks = niceTicks(min, max, 4);
  min = Math.min(min, ticks[0]);
  max = Math.max(max, ticks[ticks.length - 1]);
  const span = Math.max(1, end - start);
  const x = (t) => margin.left + ((t - start) / span) * innerWidth;
  const y = (v) => margin.top + innerHeight - ((v - min) / (max - min)) * innerHeight;

  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'img',
    preserveAspectRatio: 'none',
  });
  const grid = svg('g', { class: 'grid' });
  for (const tick of ticks) {
    grid.append(
      svg('line', { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick) }),
      svg('text', { x: margin.left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, formatNumber(tick)),
    );
  }
  const xTicks = 5;
  for (let index = 0; index <= xTicks; index += 1) {
    const t = start + (span * index) / xTicks;
    const anchor = index === 0 ? 'start' : index === xTicks ? 'end' : 'middle';
    grid.append(svg('text', { x: x(t), y: height - 6, 'text-anchor': anchor }, formatClock(t)));
  }
  root.append(grid);

  series.forEach((s, index) => {
    const color = PALETTE[index % PALETTE.length];
    const points = s.points.filter((p) => Number.isFinite(p[1]) && p[0] >= start - 60_000 && p[0] <= end + 60_000);
    if (points.length === 0) return;
    const coordinates = points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    const group = svg('g', { class: 'series', 'data-series': s.name });
    group.append(svg('title', {}, s.name));
    group.append(
      svg('polyline', {
        points: coordinates,
        fill: 'none',
        stroke: color,
        'stroke-width': 2,
        'stroke-linejoin': 'round',
        'vector-effect': 'non-scaling-stroke',
      }),
    );
    if (points.length === 1) {
      group.append(svg('circle', { cx: x(points[0][0]), cy: y(points[0][1]), r: 3, fill: color }));
    }
    root.append(group);
  });
  return root;
}

function niceTicks(min, max, count) {
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const first = Math.floor(min / step) * step;
  const ticks = [];
  for (let value = first; value <= max + step * 0.5; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

function legend(series) {
  return h(
    'ul',
    { className: 'legend' },
    series.map((s, index) => {
      const last = s.points.length > 0 ? s.points[s.points.length - 1][1] : undefined;
      return h(
        'li',
        {},
        h('span', { className: 'swatch', style: { background: PALETTE[index % PALETTE.length] } }),
        h('span', { className: 'series-name' }, s.name),
        last === undefined ? '' : h('span', { className: 'series-last' }, formatNumber(last)),
      );
    }),
  );
}

// ---------- sections ----------

function renderDashboards(data) {
  const container = document.getElementById('dashboard-list');
  const start = Date.parse(data.start);
  const end = Date.parse(data.end);
  const blocks = data.dashboards.map((dashboard) =>
    h(
      'div',
      { className: 'dashboard', 'data-dashboard': dashboard.name },
      h('h2', {}, dashboard.title, h('span', { className: 'muted' }, ` · ${dashboard.panels.length} panels`)),
      h(
        'div',
        { className: 'panels' },
        dashboard.panels.map((panel) => {
          const hasData = panel.series.some((s) => s.points.length > 0);
          return h(
            'article',
            { className: 'panel', 'data-panel': panel.id, 'data-has-data': String(hasData), 'data-dialect': panel.dialect },
            h('header', {}, h('h3', {}, panel.title), panel.unit && panel.unit !== '1' ? h('span', { className: 'unit' }, panel.unit) : ''),
            panel.error
              ? h('p', { className: 'panel-error' }, panel.error)
              : hasData
                ? [drawLineChart(panel.series, { start, end }), legend(panel.series)]
                : h('p', { className: 'empty' }, 'No data in this range'),
            panelSql(`${dashboard.name}/${panel.id}`, panel),
          );
        }),
      ),
    ),
  );
  if (blocks.length === 0) blocks.push(h('p', { className: 'empty' }, 'No dashboards defined.'));
  container.replaceChildren(...blocks);
}

/** The panel's BetterStack SQL behind a toggle, with a copy button; stays open across refreshes. */
function panelSql(key, panel) {
  const code = h('pre', { className: 'panel-sql-text' }, h('code', {}, panel.sql));
  const copy = h(
    'button',
    {
      type: 'button',
      className: 'copy-sql',
      onclick: async (event) => {
        event.preventDefault();
        try {
          await navigator.clipboard.writeText(panel.sql);
          copy.textContent = 'Copied';
        } catch {
          // No clipboard permission: select the text so Ctrl-C copies it.
          getSelection()?.selectAllChildren(code);
          copy.textContent = 'Selected — press Ctrl-C';
        }
      },
    },
    'Copy',
  );
  const details = h(
    'details',
    { className: 'panel-sql', open: state.openSql.has(key) },
    h('summary', {}, `SQL (${panel.dialect === 'legacy' ? 'legacy per-metric columns' : 'unified'})`),
    code,
    copy,
  );
  details.addEventListener('toggle', () => {
    if (details.open) state.openSql.add(key);
    else state.openSql.delete(key);
  });
  return details;
}

function renderAlerts(data) {
  const list = document.getElementById('alert-list');
  const items = data.alerts.map((alert) =>
    h(
      'div',
      { className: `alert alert-${alert.state}`, 'data-alert': alert.name, title: alert.detail || alert.condition },
      h(
        'div',
        { className: 'alert-top' },
        h('span', { className: 'dot' }),
        h('span', { className: 'alert-name' }, alert.title ?? alert.name),
        h('span', { className: `badge${alert.critical ? ' critical' : ''}` }, alert.critical ? 'critical' : 'warning'),
      ),
      h(
        'div',
        { className: 'alert-bottom' },
        h('code', { className: 'alert-condition' }, alert.condition),
        h('span', { className: 'alert-state' }, alert.state.replace('_', ' ')),
        alert.value === undefined || alert.value === null ? '' : h('span', { className: 'alert-value' }, formatNumber(alert.value)),
      ),
    ),
  );
  if (items.length === 0) items.push(h('p', { className: 'empty' }, 'No alerts defined.'));
  const firing = data.alerts.filter((alert) => alert.state === 'firing').length;
  const judged = data.alerts.some((alert) => alert.state !== 'no_data');
  document.getElementById('alert-summary').textContent = firing ? `${firing} firing` : judged ? 'all clear' : 'no data yet';
  document.getElementById('alert-summary').className = firing ? 'summary is-firing' : judged ? 'summary' : 'summary is-idle';
  list.replaceChildren(...items);
}

function renderTraces(data) {
  const list = document.getElementById('trace-list');
  const items = data.traces.map((trace, index) => {
    const open =
      state.openTraces.has(trace.traceId) ||
      state.focusTrace === trace.traceId ||
      (!state.tracesTouched && !state.focusTrace && index === 0);
    const details = h(
      'details',
      { className: 'trace', id: `trace-${trace.traceId}`, 'data-trace': trace.traceId, open },
      h(
        'summary',
        {},
        h('span', { className: `trace-root${trace.error ? ' is-error' : ''}` }, trace.rootName),
        h('span', { className: 'muted' }, trace.services.join(', ')),
        h('span', { className: 'muted' }, `${trace.spanCount} span${trace.spanCount === 1 ? '' : 's'}`),
        h('span', { className: 'duration' }, formatDuration(trace.durationMs)),
        h('span', { className: 'muted mono' }, formatClock(Date.parse(trace.start), true)),
        h('code', { className: 'trace-id' }, trace.traceId),
      ),
      traceTree(trace),
    );
    details.querySelector('summary').addEventListener('click', () => {
      state.tracesTouched = true;
    });
    details.addEventListener('toggle', () => {
      if (details.open) state.openTraces.add(trace.traceId);
      else state.openTraces.delete(trace.traceId);
    });
    return details;
  });
  if (data.focus && !data.focus.found) {
    items.unshift(h('p', { className: 'empty' }, 'No spans stored for trace ', h('code', {}, data.focus.traceId), '.'));
  }
  if (items.length === 0) items.push(h('p', { className: 'empty' }, 'No traces yet.'));
  list.replaceChildren(...items);
  const target = state.focusTrace && document.getElementById(`trace-${state.focusTrace}`);
  if (target) {
    target.classList.add('focused');
    if (state.scrollToFocus) target.scrollIntoView({ block: 'center' });
  }
  state.scrollToFocus = false;
}

function traceTree(trace) {
  const traceStart = Date.parse(trace.start);
  const total = Math.max(trace.durationMs, 0.001);
  return h(
    'div',
    { className: 'tree' },
    trace.spans.map((span) => {
      const left = ((Date.parse(span.start) - traceStart) / total) * 100;
      const width = Math.max((span.durationMs / total) * 100, 0.4);
      return h(
        'div',
        { className: `span-row${span.error ? ' is-error' : ''}`, 'data-span': span.spanId, 'data-depth': span.depth },
        h(
          'div',
          { className: 'span-label', style: { paddingLeft: `${Math.min(span.depth, 12) * 16 + 4}px` } },
          span.depth > 0 ? h('span', { className: 'elbow' }, '└') : '',
          h('span', { className: 'span-name' }, span.name),
          h('span', { className: `source source-${span.source}` }, span.source),
          span.service ? h('span', { className: 'muted' }, span.service) : '',
        ),
        h(
          'div',
          { className: 'span-bar-track' },
          h('div', {
            className: 'span-bar',
            style: {
              left: `${Math.min(Math.max(left, 0), 99.6).toFixed(2)}%`,
              width: `${Math.min(width, 100 - Math.min(Math.max(left, 0), 99.6)).toFixed(2)}%`,
            },
          }),
        ),
        h('div', { className: 'span-duration' }, formatDuration(span.durationMs)),
      );
    }),
  );
}

function attributeList(attributes) {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return '';
  return h(
    'div',
    { className: 'attributes' },
    entries.slice(0, 12).map(([key, value]) => h('span', { className: 'kv' }, h('b', {}, key), '=', text(value))),
    entries.length > 12 ? h('span', { className: 'muted' }, `+${entries.length - 12}`) : '',
  );
}

function renderLogs(data) {
  const rows = data.logs.map((log) =>
    h(
      'tr',
      { 'data-log': '' },
      h('td', { className: 'mono nowrap' }, formatClock(Date.parse(log.time), true)),
      h('td', {}, h('span', { className: `severity sev-${severityClass(log.severityNumber)}` }, log.severity || '–')),
      h('td', { className: 'muted' }, log.service ?? ''),
      h('td', { className: 'body' }, text(log.body), log.source === 'sentry' ? h('span', { className: 'source source-sentry' }, 'sentry') : ''),
      h('td', {}, attributeList(log.attributes)),
      h('td', {}, traceLink(log.traceId)),
    ),
  );
  if (rows.length === 0) rows.push(h('tr', {}, h('td', { colspan: 6, className: 'empty' }, 'No logs yet.')));
  document.getElementById('log-rows').replaceChildren(...rows);
}

function severityClass(number) {
  if (number >= 17) return 'error';
  if (number >= 13) return 'warn';
  if (number >= 9) return 'info';
  return 'debug';
}

function renderSentry(data) {
  const rows = data.events.map((event) => {
    const user = event.user ?? {};
    const userParts = [user.id, user.email, user.username].filter(Boolean);
    return h(
      'tr',
      { 'data-event': event.eventId ?? '' },
      h('td', { className: 'mono nowrap' }, formatClock(Date.parse(event.time), true)),
      h('td', {}, h('span', { className: `severity sev-${event.level === 'warning' ? 'warn' : event.level === 'info' ? 'info' : 'error'}` }, event.level ?? 'error')),
      h(
        'td',
        { className: 'body' },
        event.exception
          ? h('div', {}, h('b', {}, event.exception.type ?? 'Error'), ': ', event.exception.value ?? '')
          : '',
        event.message ? h('div', {}, event.message) : '',
        event.transaction ? h('div', { className: 'muted' }, event.transaction) : '',
      ),
      h('td', {}, userParts.length ? userParts.map((part) => h('div', { className: 'user-part' }, part)) : h('span', { className: 'muted' }, '–')),
      h('td', {}, attributeList(event.tags)),
      h('td', {}, traceLink(event.traceId)),
    );
  });
  if (rows.length === 0) rows.push(h('tr', {}, h('td', { colspan: 6, className: 'empty' }, 'No Sentry events yet.')));
  document.getElementById('sentry-rows').replaceChildren(...rows);
}

// ---------- refresh loop ----------

async function refresh() {
  const status = document.getElementById('status');
  const focus = state.focusTrace ? `&trace_id=${state.focusTrace}` : '';
  const jobs = [
    getJson(`/api/ui/dashboards?range=${state.range}`).then(renderDashboards),
    getJson(`/api/ui/alerts`).then(renderAlerts),
    getJson(`/api/ui/traces?range=${state.range}${focus}`).then(renderTraces),
    getJson(`/api/ui/logs?range=${state.range}`).then(renderLogs),
    getJson(`/api/ui/sentry?range=${state.range}`).then(renderSentry),
  ];
  const results = await Promise.allSettled(jobs);
  const failed = results.filter((r) => r.status === 'rejected');
  status.textContent = failed.length
    ? `error: ${failed[0].reason?.message ?? failed[0].reason}`
    : `updated ${formatClock(Date.now(), true)}`;
  status.classList.toggle('is-error', failed.length > 0);
  document.body.dataset.loaded = 'true';
}

function schedule() {
  clearTimeout(state.timer);
  refresh().finally(() => {
    state.timer = setTimeout(schedule, REFRESH_MS);
  });
}

function readHash() {
  const match = /^#trace=([0-9a-f]{16,32})$/.exec(location.hash);
  state.focusTrace = match ? match[1] : undefined;
  state.scrollToFocus = Boolean(match);
}

function setup() {
  for (const button of document.querySelectorAll('[data-range]')) {
    button.setAttribute('aria-pressed', String(button.dataset.range === state.range));
    button.addEventListener('click', () => {
      state.range = button.dataset.range;
      localStorage.setItem('kira.range', state.range);
      for (const other of document.querySelectorAll('[data-range]')) {
        other.setAttribute('aria-pressed', String(other === button));
      }
      schedule();
    });
  }
  window.addEventListener('hashchange', () => {
    readHash();
    schedule();
  });
  readHash();
  schedule();
}

setup();
