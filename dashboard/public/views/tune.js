// One `paratox tune` result: what it searched and how many runs it used, the chosen setting against the targets,
// and the cost-vs-benefit trade-off of every setting it measured (the frontier from tune.json, sim/tune/pareto.ts),
// with the number of seeds each got: a point from few seeds is a rough one.
import { getJson } from '../api.js';
import { el, num } from '../format.js';
import { meaning } from '../glossary.js';
import { tradeoffChart } from '../charts/scatter.js';
import { label } from './sweeps.js';

const stat = (c, m) => {
  const s = c.metrics[m];
  if (!s) return '–';
  return s.ci95 ? `${num(s.mean)} ± ${num((s.ci95[1] - s.ci95[0]) / 2)}` : num(s.mean);
};
const seeds = (n) => `${n} seed${n === 1 ? '' : 's'}`;
const target = (t) => `${t.metric} ${t.min !== null ? `≥ ${t.min}` : `≤ ${t.max}`}`;

function bestPart(t) {
  if (t.best === null) return el('p', { class: 'absent', 'data-testid': 'tune-best' }, `No setting meets every target with all ${seeds(t.search.maxSeeds)}.`);
  const b = t.candidates[t.best];
  return el('div', { 'data-testid': 'tune-best' },
    el('p', {}, el('strong', {}, 'Cheapest setting meeting every target: '), label(b.params), ` (${seeds(b.seeds)}${b.meetsSurely ? '; every 95 % interval inside the targets' : b.seeds < 2 ? ': no interval yet' : '; on the mean, an interval crosses a target'})`),
    el('p', { class: 'muted' }, `${t.cost} ${stat(b, t.cost)} · ${t.latency} ${stat(b, t.latency)} · ${t.targets.map((x) => `${x.metric} ${stat(b, x.metric)}`).join(' · ')}`));
}

function frontierTable(t) {
  const head = [t.cost, t.benefit, t.latency, 'seeds', 'meets', 'setting'];
  return el('div', { class: 'table-scroll' }, el('table', { 'data-testid': 'tune-frontier' },
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { title: meaning(h) }, h)))),
    el('tbody', {}, t.frontier.map((i) => {
      const c = t.candidates[i];
      return el('tr', {}, el('td', { class: 'num' }, stat(c, t.cost)), el('td', { class: 'num' }, stat(c, t.benefit)), el('td', { class: 'num' }, stat(c, t.latency)),
        el('td', { class: 'num' }, c.seeds), el('td', {}, i === t.best ? 'best' : c.meets ? 'yes' : 'no'), el('td', {}, label(c.params)));
    }))));
}

export async function tuneView(name) {
  const t = await getJson(`/api/tunes/${encodeURIComponent(name)}`);
  const how = t.search.method === 'grid' ? 'full grid' : `successive halving (eta ${t.search.eta}, from ${t.search.minSeeds} seeds)`;
  const onFrontier = new Set(t.frontier);
  const points = t.candidates.map((c, i) => ({ label: `${label(c.params)} (${c.seeds} seeds)`, cost: c.metrics[t.cost], benefit: c.metrics[t.benefit], onFrontier: onFrontier.has(i) }));
  const measured = points.filter((p) => p.cost && p.benefit);
  const chart = measured.length === 0
    ? el('p', { class: 'absent' }, `not in this tune (${t.cost} and ${t.benefit} were not both measured)`)
    : tradeoffChart(points, t.frontier.map((i) => points[i]), { xLabel: `${t.cost} (cost)`, yLabel: `${t.benefit} (benefit)` });
  return el('section', { 'data-testid': 'tune-view' },
    el('h2', {}, `Tune ${name}`),
    el('p', { class: 'muted' }, `${t.candidates.length} settings x up to ${seeds(t.search.maxSeeds)}, ${how}: used ${t.runs} runs (the full grid: ${t.gridRuns}) · targets: ${t.targets.map(target).join(', ')}`),
    bestPart(t),
    el('div', { class: 'panels' },
      el('section', { class: 'panel', 'data-panel': 'tune-tradeoff' }, el('h3', { title: `${meaning(t.cost)}\n${meaning(t.benefit)}` }, 'Cost vs anonymity, every setting measured'), chart,
        el('p', { class: 'muted' }, `${measured.length} settings, ${t.frontier.length} on the Pareto frontier; points from few seeds are rough (hover for the seeds).`)),
      el('section', { class: 'panel', 'data-panel': 'tune-frontier' }, el('h3', {}, 'Pareto frontier'), frontierTable(t))),
  );
}
