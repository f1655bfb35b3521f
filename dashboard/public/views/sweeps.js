// Sweeps: the list, and one sweep: the overhead-vs-anonymity trade-off (one point per grid point, the Pareto
// frontier from the server, sim/tune/pareto.ts) and any metric against any swept parameter with 95 % intervals.
import { getJson } from '../api.js';
import { date, el } from '../format.js';
import { meaning } from '../glossary.js';
import { metricVsParamChart, tradeoffChart } from '../charts/scatter.js';

/** `paratox tune` results: one row per tune, a click opens it (views/tune.js). */
function tunesTable(tunes) {
  if (tunes.length === 0) return el('p', { class: 'muted' }, 'No tunes yet: `npx paratox tune scenarios/tune/noise.yaml` writes reports/tune/<name>/tune.json.');
  return el('table', { 'data-testid': 'tunes-table' },
    el('thead', {}, el('tr', {}, ['tune', 'settings', 'runs used', 'full grid', 'result', 'date'].map((h) => el('th', {}, h)))),
    el('tbody', {}, tunes.map((t) =>
      el('tr', { class: 'run-row', 'data-tune': t.name, onclick: () => (location.hash = `#/tune/${encodeURIComponent(t.name)}`) },
        el('td', {}, t.name), el('td', { class: 'num' }, t.candidates ?? '–'), el('td', { class: 'num' }, t.runs ?? '–'), el('td', { class: 'num' }, t.gridRuns ?? '–'),
        el('td', { class: t.broken ? 'error' : '' }, t.broken ?? (t.best === null ? 'no setting meets the targets' : 'a setting meets the targets')), el('td', {}, date(t.date))),
    )),
  );
}

export async function sweepsView() {
  const [{ sweeps }, { tunes }] = await Promise.all([getJson('/api/sweeps'), getJson('/api/tunes')]);
  const tunesPart = [el('h2', {}, 'Tunes'), tunesTable(tunes)];
  if (sweeps.length === 0) return el('section', {}, el('h2', {}, 'Sweeps'), el('p', { class: 'muted' }, 'No sweeps yet: `npx paratox sweep scenarios/sweeps/noise-padding.yaml` writes reports/sweeps/<name>/.'), ...tunesPart);
  return el(
    'section',
    {},
    el('h2', {}, 'Sweeps'),
    el('table', { 'data-testid': 'sweeps-table' },
      el('thead', {}, el('tr', {}, ['sweep', 'cells', 'finished', 'summary', 'date'].map((h) => el('th', {}, h)))),
      el('tbody', {}, sweeps.map((s) =>
        el('tr', { class: 'run-row', 'data-sweep': s.name, onclick: () => (location.hash = `#/sweep/${encodeURIComponent(s.name)}`) },
          el('td', {}, s.name), el('td', { class: 'num' }, s.cells ?? '–'), el('td', { class: 'num' }, s.finishedCells), el('td', {}, s.broken ?? (s.hasSummary ? 'yes' : 'not yet')), el('td', {}, date(s.date))),
      )),
    ),
    ...tunesPart,
  );
}

export function label(params) {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.join(' ') || '(base scenario)';
}

function paramSection(view) {
  const points = view.summary.points;
  const metrics = view.metrics;
  const state = { metric: metrics.includes(view.benefit) ? view.benefit : metrics[0], param: view.params[0] };
  const holder = el('div');
  const draw = () => {
    if (!state.param) return holder.replaceChildren(el('p', { class: 'absent' }, 'this sweep varies no parameter'));
    // One line per setting of the other parameters.
    const groups = new Map();
    for (const p of points) {
      const others = Object.fromEntries(Object.entries(p.params).filter(([k]) => k !== state.param));
      const key = label(others);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push({ x: p.params[state.param], stat: p.metrics[state.metric] });
    }
    const series = [...groups].map(([key, pts]) => ({ label: key, points: pts }));
    holder.replaceChildren(metricVsParamChart(series, { xLabel: state.param, yLabel: state.metric }));
  };
  const pick = (options, value, set, testid) => el('select', { 'data-testid': testid, onchange: (e) => { set(e.target.value); draw(); } }, options.map((o) => el('option', { value: o, selected: o === value, title: meaning(o) }, o)));
  draw();
  return el('section', { class: 'panel', 'data-panel': 'metric-vs-param' },
    el('h3', {}, 'A metric against a swept parameter'),
    el('div', { class: 'controls' }, 'metric ', pick(metrics, state.metric, (v) => (state.metric = v), 'sweep-metric'), 'parameter ', pick(view.params, state.param, (v) => (state.param = v), 'sweep-param')),
    holder,
    el('p', { class: 'muted' }, 'Mean over seeds with its 95 % confidence interval (Student t).'));
}

export async function sweepView(name) {
  const view = await getJson(`/api/sweeps/${encodeURIComponent(name)}`);
  const head = el('div', {}, el('h2', {}, `Sweep ${view.name}`), el('p', { class: 'muted' }, `grid: ${view.params.join(', ') || '(none)'} · ${view.manifest?.cells?.length ?? '?'} cells · seeds ${(view.manifest?.seeds ?? []).join(', ')}`));
  if (!view.summary) return el('section', {}, head, el('p', { class: 'absent' }, 'No summary.json yet: the sweep has unfinished cells (rerun it to resume).'));
  const onFrontier = new Set(view.frontier);
  const points = view.summary.points.map((p, i) => ({ label: label(p.params), cost: p.metrics[view.cost], benefit: p.metrics[view.benefit], onFrontier: onFrontier.has(i) }));
  const measured = points.filter((p) => p.cost && p.benefit);
  const tradeoff = measured.length === 0
    ? el('p', { class: 'absent' }, `not in this sweep (${view.cost} and ${view.benefit} are not both summarised)`)
    : tradeoffChart(points, view.frontier.map((i) => points[i]), { xLabel: `${view.cost} (cost)`, yLabel: `${view.benefit} (benefit)` });
  return el(
    'section',
    { 'data-testid': 'sweep-view' },
    head,
    el('div', { class: 'panels' },
      el('section', { class: 'panel', 'data-panel': 'tradeoff' }, el('h3', { title: `${meaning(view.cost)}\n${meaning(view.benefit)}` }, 'Overhead vs anonymity'), tradeoff,
        el('p', { class: 'muted', 'data-testid': 'tradeoff-note' }, `${measured.length} grid points, ${view.frontier.length} on the Pareto frontier (no other point is cheaper and more anonymous).`)),
      paramSection(view)),
  );
}
