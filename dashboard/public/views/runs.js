// Runs: every report with its key figures; a filter box, sortable columns, a click opens the run, two ticked
// rows open Compare.
import { getJson } from '../api.js';
import { date, el, ms, num, pct } from '../format.js';
import { meaning } from '../glossary.js';

const COLUMNS = [
  { key: 'scenario', label: 'scenario', get: (r) => r.scenario ?? '' },
  { key: 'seed', label: 'seed', get: (r) => r.seed, num: true },
  { key: 'date', label: 'date', get: (r) => r.date, show: date },
  { key: 'protocol', label: 'protocol', get: (r) => r.protocol ?? '' },
  { key: 'nodes', label: 'nodes', get: (r) => r.nodes, num: true },
  { key: 'deliveryRatio', label: 'delivery', get: (r) => r.figures?.deliveryRatio, show: pct, num: true, title: 'traffic.deliveryRatio' },
  { key: 'p50', label: 'latency p50', get: (r) => r.figures?.latencyP50Ms, show: ms, num: true, title: 'traffic.latencyMs.p50' },
  { key: 'p95', label: 'latency p95', get: (r) => r.figures?.latencyP95Ms, show: ms, num: true, title: 'traffic.latencyMs.p95' },
  { key: 'overhead', label: 'overhead', get: (r) => r.figures?.bandwidthOverhead, show: (v) => (v == null ? '–' : `${num(v)}×`), num: true, title: 'traffic.bandwidthOverhead' },
  { key: 'top1', label: 'Eve top-1', get: (r) => r.figures?.eveTop1, show: pct, num: true, title: 'attacks.eve.top1' },
  { key: 'anonymity', label: 'anonymity', get: (r) => r.figures?.degreeOfAnonymity, show: (v) => num(v), num: true, title: 'attacks.eve.degreeOfAnonymity' },
  { key: 'eclipse', label: 'eclipse majority', get: (r) => r.figures?.majorityMaliciousShare, show: pct, num: true, title: 'attacks.eclipse.victimHarm.majorityMaliciousShare' },
  { key: 'path', label: 'file', get: (r) => r.path },
];

function compareValues(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // missing values last either way
  if (b === null || b === undefined) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

export async function runsView() {
  const { runs, count, broken } = await getJson('/api/runs');
  const state = { filter: '', sort: 'date', dir: -1, picked: [] };
  const tbody = el('tbody');
  const shown = el('span', { class: 'muted', 'data-testid': 'runs-count' });
  const compareButton = el('button', { disabled: true, 'data-testid': 'compare-picked', onclick: () => (location.hash = `#/compare?a=${encodeURIComponent(state.picked[0])}&b=${encodeURIComponent(state.picked[1])}`) }, 'Compare the two ticked');
  const headers = COLUMNS.map((c) =>
    el('th', { class: c.num ? 'num' : '', 'data-key': c.key, title: c.title ? meaning(c.title) : 'sort', onclick: () => sortBy(c.key) }, c.label),
  );

  function sortBy(key) {
    state.dir = state.sort === key ? -state.dir : key === 'date' ? -1 : 1;
    state.sort = key;
    render();
  }

  function row(r) {
    const open = () => (location.hash = `#/run/${encodeURIComponent(r.path)}`);
    const tick = el('input', {
      type: 'checkbox',
      title: 'tick two runs to compare them',
      checked: state.picked.includes(r.path),
      onclick: (e) => {
        e.stopPropagation();
        state.picked = e.target.checked ? [...state.picked, r.path].slice(-2) : state.picked.filter((p) => p !== r.path);
        compareButton.disabled = state.picked.length !== 2;
        render();
      },
    });
    if (r.broken) {
      return el('tr', { class: 'broken', 'data-path': r.path }, el('td'), el('td', { colspan: COLUMNS.length - 1 }, `broken: ${r.broken}`), el('td', { class: 'path' }, r.path));
    }
    return el(
      'tr',
      { class: 'run-row', 'data-path': r.path, onclick: open },
      el('td', {}, tick),
      COLUMNS.map((c) => el('td', { class: `${c.num ? 'num' : ''} ${c.key === 'path' ? 'path' : ''}` }, c.show ? c.show(c.get(r)) : (c.get(r) ?? '–'))),
    );
  }

  function render() {
    const col = COLUMNS.find((c) => c.key === state.sort);
    const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
    const rows = runs
      .filter((r) => words.every((w) => `${r.scenario ?? ''} ${r.path} ${r.protocol ?? ''} seed${r.seed ?? ''} ${r.broken ? 'broken' : ''}`.toLowerCase().includes(w)))
      .sort((a, b) => state.dir * compareValues(col.get(a), col.get(b)) || a.path.localeCompare(b.path));
    const frag = document.createDocumentFragment();
    for (const r of rows) frag.append(row(r));
    tbody.replaceChildren(frag);
    shown.textContent = `${rows.length} of ${count} runs${broken ? ` (${broken} broken)` : ''}`;
    headers.forEach((h, i) => h.classList.toggle('sorted-asc', COLUMNS[i].key === state.sort && state.dir > 0));
    headers.forEach((h, i) => h.classList.toggle('sorted-desc', COLUMNS[i].key === state.sort && state.dir < 0));
  }

  const filter = el('input', { type: 'search', placeholder: 'filter: scenario, file, protocol…', 'data-testid': 'runs-filter', oninput: (e) => { state.filter = e.target.value; render(); } });
  render();
  if (runs.length === 0) {
    return el('section', {}, el('h2', {}, 'Runs'), el('p', { class: 'muted' }, 'No reports yet: run `npx paratox run scenarios/ping-small.json`, or start one under New run.'));
  }
  return el(
    'section',
    {},
    el('h2', {}, 'Runs'),
    el('div', { class: 'toolbar' }, filter, shown, compareButton),
    el('div', { class: 'big-table' }, el('table', { 'data-testid': 'runs-table' }, el('thead', {}, el('tr', {}, el('th', { title: 'compare' }, '⇄'), headers)), tbody)),
  );
}
