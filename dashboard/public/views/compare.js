// Compare: two runs side by side by `paratox compare`'s rules; regressions highlighted.
import { getJson } from '../api.js';
import { el, num } from '../format.js';
import { meaning } from '../glossary.js';

function runPicker(runs, value, testid) {
  return el('select', { 'data-testid': testid }, el('option', { value: '' }, '(pick a run)'), runs.map((r) => el('option', { value: r.path, selected: r.path === value }, `${r.scenario} seed ${r.seed} · ${r.path}`)));
}

export async function compareView(params) {
  const { runs } = await getJson('/api/runs');
  const good = runs.filter((r) => !r.broken);
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  const pa = runPicker(good, a, 'compare-a');
  const pb = runPicker(good, b, 'compare-b');
  const go = el('button', { onclick: () => (location.hash = `#/compare?a=${encodeURIComponent(pa.value)}&b=${encodeURIComponent(pb.value)}`) }, 'Compare');
  const section = el('section', { 'data-testid': 'compare-view' }, el('h2', {}, 'Compare two runs'), el('div', { class: 'toolbar' }, 'baseline ', pa, 'candidate ', pb, go));
  if (!a || !b) {
    section.append(el('p', { class: 'muted' }, 'Pick a baseline and a candidate (or tick two runs in the Runs list).'));
    return section;
  }
  let c;
  try {
    c = await getJson(`/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  } catch (err) {
    section.append(el('p', { class: 'error' }, err.message));
    return section;
  }
  const regressed = c.regressions.length;
  section.append(
    ...[
    el('p', { 'data-testid': 'compare-verdict', class: regressed ? 'error' : '' }, regressed ? `${regressed} regression${regressed > 1 ? 's' : ''}: ${c.regressions.join(', ')}` : 'No regression.'),
    c.allowedDifferences.length ? el('p', { class: 'muted' }, `The scenarios differ in ${c.scenarioDifferences.map((d) => `${d.path} (${d.baseline} vs ${d.candidate})`).join(', ')}: shown anyway (paratox compare would refuse without --allow-scenario-diff ${c.allowedDifferences.join(',')}).`) : null,
    el('table', { 'data-testid': 'compare-table' },
      el('thead', {}, el('tr', {}, ['metric', 'baseline', 'candidate', 'change', 'tolerated', 'direction', 'verdict'].map((h) => el('th', {}, h)))),
      el('tbody', {}, c.rows.map((r) =>
        el('tr', { class: r.verdict, 'data-metric': r.metric },
          el('td', { title: meaning(r.metric) }, r.metric),
          el('td', { class: 'num' }, num(r.baseline?.value)),
          el('td', { class: 'num' }, num(r.candidate?.value)),
          el('td', { class: 'num' }, r.change == null ? '–' : `${r.change > 0 ? '+' : ''}${num(r.change)}`),
          el('td', { class: 'num' }, num(r.allowed)),
          el('td', {}, r.tolerance.direction),
          el('td', { class: 'verdict' }, r.verdict)),
      )),
    ),
    el('p', { class: 'muted' }, `Tolerances: ${c.tolerances}. Only metrics with a tolerance are checked.`),
    ].filter(Boolean),
  );
  return section;
}
