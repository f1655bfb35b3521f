// One run: metric cards (meaning on hover), then one panel per view of the report. A panel whose data the
// report lacks says "not in this report" (older reports, protocols without Eve or eclipse).
import { at, getJson } from '../api.js';
import { el, ms, num, pct } from '../format.js';
import { meaning } from '../glossary.js';
import { barChart, histogram } from '../charts/bar-chart.js';
import { lineChart } from '../charts/line-chart.js';
import { networkView } from '../charts/network.js';

const CARDS = [
  ['traffic.deliveryRatio', 'delivery', pct],
  ['traffic.latencyMs.p50', 'latency p50', ms],
  ['traffic.latencyMs.p95', 'latency p95', ms],
  ['traffic.latencyMs.p99', 'latency p99', ms],
  ['traffic.bandwidthOverhead', 'bandwidth overhead', (v) => (v == null ? '–' : `${num(v)}×`)],
  ['traffic.wirePackets', 'wire packets', num],
  ['traffic.noisePackets', 'noise packets', num],
  ['attacks.eve.top1', 'Eve top-1', pct],
  ['attacks.eve.top5', 'Eve top-5', pct],
  ['attacks.eve.degreeOfAnonymity', 'degree of anonymity', (v) => num(v)],
  ['attacks.eve.entropyBits', 'entropy (bits)', (v) => num(v)],
  ['attacks.eve.auc', 'Eve AUC', (v) => num(v)],
  ['attacks.eclipse.victimHarm.majorityMaliciousShare', 'eclipse: majority malicious', pct],
  ['attacks.eclipse.victimHarm.lookupSuccessRate', 'eclipse: victim lookups ok', pct],
  ['sim.events', 'events', num],
  ['sim.wallSeconds', 'wall time', (v) => (v == null ? '–' : `${num(v)} s`)],
];

const ABSENT = () => el('p', { class: 'absent' }, 'not in this report');

function panel(id, title, body, note) {
  return el('section', { class: 'panel', 'data-panel': id }, el('h3', {}, title), note ? el('p', { class: 'muted' }, note) : null, body ?? ABSENT());
}

function select(options, value, onchange, testid) {
  return el('select', { 'data-testid': testid, onchange: (e) => onchange(e.target.value) }, options.map(([v, label]) => el('option', { value: v, selected: v === value }, label)));
}

function evePanel(report) {
  const targets = at(report, 'attacks.eveTargets');
  if (!Array.isArray(targets) || targets.length === 0) return panel('eve-ranking', "Eve's ranking for a target", null);
  const methods = Object.keys(targets[0].byMethod ?? {});
  const state = { method: report.attacks?.eve?.method && methods.includes(report.attacks.eve.method) ? report.attacks.eve.method : methods[0], target: targets[0].target };
  const chart = el('div');
  const note = el('p', { class: 'muted', 'data-testid': 'eve-rank-note' });
  const draw = () => {
    const t = targets.find((x) => x.target === state.target);
    const view = t?.byMethod?.[state.method];
    if (!view) return chart.replaceChildren(ABSENT());
    const bars = view.top.map((c) => ({ label: c.candidate, value: c.posterior, highlight: c.isPartner }));
    chart.replaceChildren(barChart(bars, { xLabel: "Eve's posterior probability", testid: 'eve-ranking-svg', highlightNote: 'true partner' }));
    const shown = view.top.some((c) => c.isPartner);
    note.textContent = `${t.target} talks with ${t.partners.join(', ') || '(nobody)'}; ${state.method} ranks the true partner ${view.rank ?? 'n/a'}${shown ? '' : ` (not among the ${view.top.length} shown)`} of ${report.attacks?.eve?.candidates ?? '?'} candidates.`;
  };
  const controls = el(
    'div',
    { class: 'controls' },
    'attack ',
    select(methods.map((m) => [m, m]), state.method, (v) => { state.method = v; draw(); }, 'eve-method'),
    'target ',
    select(targets.map((t) => [t.target, t.target]), state.target, (v) => { state.target = v; draw(); }, 'eve-target'),
  );
  draw();
  return panel('eve-ranking', "Eve's ranking for a target", el('div', {}, controls, chart, note), 'Top candidates by posterior; the true partner in red.');
}

function rocPanel(report) {
  const by = at(report, 'attacks.eveByMethod') ?? {};
  const series = Object.entries(by).filter(([, f]) => f?.roc?.fpr?.length > 0).map(([m, f]) => ({ label: `${m} (AUC ${num(f.auc)})`, x: f.roc.fpr, y: f.roc.tpr, step: true }));
  const body = series.length === 0 ? null : lineChart(series, { xLabel: 'false positive rate', yLabel: 'true positive rate', xDomain: [0, 1], yDomain: [0, 1], diagonal: true, testid: 'roc-svg' });
  return panel('roc', 'ROC curve per attack', body, series.length ? 'Over all (target, candidate) pairs; the diagonal is guessing.' : null);
}

function latencyPanel(report) {
  const cdf = at(report, 'traffic.latencyCdf');
  const body = cdf?.ms?.length > 0 ? lineChart([{ label: 'delivered messages', x: cdf.ms, y: cdf.fraction }], { xLabel: 'latency (ms)', yLabel: 'fraction delivered within', yDomain: [0, 1], testid: 'latency-svg' }) : null;
  return panel('latency-cdf', 'Latency distribution (CDF)', body);
}

function trafficPanel(report) {
  const s = at(report, 'traffic.series');
  if (!s?.t?.length) return panel('traffic-series', 'Traffic over time: real vs noise', null);
  const holder = el('div');
  const draw = (unit) => {
    const [real, noise] = unit === 'bytes' ? [s.realBytes, s.noiseBytes] : [s.realPackets, s.noisePackets];
    const t = s.t.map((v) => v / 1000);
    holder.replaceChildren(
      lineChart([{ label: `real ${unit}`, x: t, y: real, color: '#2f6fde' }, { label: `noise ${unit}`, x: t, y: noise, color: '#9aa4b2' }], { xLabel: 'simulated time (s)', yLabel: `${unit} per ${s.bucketMs} ms`, testid: 'traffic-svg' }),
    );
  };
  draw('packets');
  const controls = el('div', { class: 'controls' }, 'show ', select([['packets', 'packets'], ['bytes', 'bytes']], 'packets', draw, 'traffic-unit'));
  return panel('traffic-series', 'Traffic over time: real vs noise', el('div', {}, controls, holder), 'Datagrams on the wire per time bucket.');
}

function eclipsePanel(report) {
  const pv = at(report, 'attacks.eclipse.perVictim');
  const body = Array.isArray(pv) && pv.length > 0
    ? histogram(pv.map((v) => v.maliciousTableShare), { xLabel: 'malicious share of the routing table', threshold: 0.5, testid: 'eclipse-svg' })
    : null;
  return panel('eclipse', 'Eclipse: per-victim routing-table harm', body, body ? `${pv.length} victims; right of the dashed line: majority malicious (${meaning('attacks.eclipse.victimHarm.majorityMaliciousShare')})` : null);
}

function networkPanel(report) {
  const net = report.network;
  if (!net?.nodes?.length) return panel('network', 'Network sample', null);
  const circuits = net.circuits ?? [];
  const holder = el('div');
  const draw = (id) => holder.replaceChildren(networkView(net, id));
  draw(circuits[0]?.id);
  const controls = el('div', { class: 'controls' }, circuits.length ? ['circuit ', select(circuits.map((c) => [c.id, `${c.id}: ${c.user} → ${c.hops.join(' → ')}`]), circuits[0].id, draw, 'circuit-select')] : 'no circuits in the sample');
  const malicious = net.nodes.filter((n) => n.malicious).length;
  return panel('network', 'Network sample', el('div', {}, controls, holder), `${net.nodes.length} of ${net.totalNodes} nodes (${malicious} malicious, red), ${net.links.length} links; the chosen circuit in orange.`);
}

export async function runView(path) {
  const { report } = await getJson(`/api/runs/${path.split('/').map(encodeURIComponent).join('/')}`);
  const cards = el('div', { class: 'cards', 'data-testid': 'metric-cards' }, CARDS.map(([p, label, show]) =>
    el('div', { class: 'card', title: meaning(p), 'data-metric': p }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, show(at(report, p) ?? null))),
  ));
  return el(
    'section',
    { 'data-testid': 'run-view' },
    el('h2', {}, `${report.scenario?.name ?? '?'} `, el('span', { class: 'muted' }, `seed ${report.seed}`)),
    el('p', { class: 'muted' }, el('span', { class: 'path' }, path), ` · ${report.scenario?.protocol ?? ''} · ${report.sim?.nodes ?? '?'} nodes · ${report.sim?.simulatedSeconds ?? '?'} s simulated · traceHash ${report.traceHash?.slice(0, 16) ?? 'off'}`),
    el('p', { class: 'muted' }, 'reproduce: ', el('code', {}, report.reproduce ?? '–')),
    // report.warnings: why the run measured little of what it was built for (sim/report/run-health.ts).
    ...(Array.isArray(report.warnings) ? report.warnings : []).map((w) => el('p', { class: 'warning', 'data-testid': 'run-warning' }, 'warning: ', String(w))),
    cards,
    el('div', { class: 'panels' }, evePanel(report), rocPanel(report), latencyPanel(report), trafficPanel(report), eclipsePanel(report), networkPanel(report)),
    el('details', {}, el('summary', {}, 'scenario (resolved)'), el('pre', {}, JSON.stringify(report.scenario, null, 2))),
  );
}
