// New run: pick a scenario, change a few fields (inputs built from the scenario JSON Schema: type, bounds,
// enums, defaults from the scenario), start it, watch its progress (server-sent events); the finished run is
// linked and appears in Runs.
import { getJson, postJson } from '../api.js';
import { el } from '../format.js';

export const FORM_FIELDS = ['seed', 'nodes', 'durationS', 'noise.policy', 'noise.ratePerS', 'packet.paddingMode'];

function schemaAt(schema, path) {
  return path.split('.').reduce((s, k) => s?.properties?.[k], schema);
}

function input(path, spec, value) {
  const common = { name: path, id: `field-${path}`, 'data-testid': `field-${path}`, title: spec?.description ?? path };
  if (spec?.enum) return el('select', common, spec.enum.map((v) => el('option', { value: v, selected: v === value }, v)));
  const integer = spec?.type === 'integer';
  return el('input', { ...common, type: 'number', min: spec?.minimum, max: spec?.maximum, step: integer ? 1 : 'any', value: value ?? spec?.default ?? '', required: true });
}

export async function newRunView() {
  const [{ scenarios }, schema] = await Promise.all([getJson('/api/scenarios'), getJson('/api/schema')]);
  const status = el('div', { 'data-testid': 'job-status' });
  const fields = el('div', { style: 'display: contents' });
  const description = el('p', { class: 'muted hint' });
  const pick = el('select', { name: 'scenario', 'data-testid': 'field-scenario', onchange: () => fill() }, scenarios.map((s) => el('option', { value: s.id }, `${s.name} (${s.protocol}, ${s.nodes} nodes, ${s.durationS} s)`)));
  const current = () => scenarios.find((s) => s.id === pick.value);

  function fill() {
    const s = current();
    description.textContent = s?.description ?? '';
    fields.replaceChildren(...FORM_FIELDS.flatMap((path) => [el('label', { for: `field-${path}` }, path), input(path, schemaAt(schema, path), s?.defaults?.[path])]));
  }

  async function start(e) {
    e.preventDefault();
    const s = current();
    const body = { scenario: s.id, set: {} };
    for (const path of FORM_FIELDS) {
      const node = form.querySelector(`[name="${path}"]`);
      const value = node.tagName === 'SELECT' ? node.value : Number(node.value);
      if (value === s.defaults[path]) continue; // only what the user changed: another protocol's fields stay unset
      if (path === 'seed') body.seed = value;
      else body.set[path] = value;
    }
    let job;
    try {
      job = await postJson('/api/jobs', body);
    } catch (err) {
      status.replaceChildren(el('p', { class: 'error', 'data-testid': 'job-error' }, err.message));
      return;
    }
    watch(job);
  }

  function watch(job) {
    const bar = el('progress', { max: 100, value: 0, 'data-testid': 'job-progress' });
    const text = el('span', { class: 'muted' }, ` ${job.scenario} seed ${job.seed}: queued`);
    status.replaceChildren(el('p', {}, bar, text));
    const events = new EventSource(`/api/jobs/${job.id}/events`);
    events.addEventListener('progress', (m) => {
      const j = JSON.parse(m.data);
      bar.value = j.percent;
      text.textContent = ` ${j.scenario} seed ${j.seed}: ${j.status} ${j.percent.toFixed(0)} %`;
    });
    events.addEventListener('done', (m) => {
      events.close();
      const j = JSON.parse(m.data);
      bar.value = 100;
      status.replaceChildren(el('p', { 'data-testid': 'job-done' }, `Finished: ${j.scenario} seed ${j.seed}. `, el('a', { href: `#/run/${encodeURIComponent(j.report)}` }, 'open the run'), ' · ', el('a', { href: '#/runs' }, 'all runs')));
    });
    for (const type of ['failed', 'cancelled']) {
      events.addEventListener(type, (m) => {
        events.close();
        status.replaceChildren(el('p', { class: 'error', 'data-testid': 'job-error' }, `${type}: ${JSON.parse(m.data).error ?? ''}`));
      });
    }
  }

  const form = el('form', { class: 'run-form', 'data-testid': 'run-form', onsubmit: start }, el('label', {}, 'scenario'), pick, description, fields, el('span'), el('button', { type: 'submit', 'data-testid': 'start-run' }, 'Start'));
  fill();
  return el('section', {}, el('h2', {}, 'New run'), el('p', { class: 'muted' }, 'Runs execute on the server one at a time, off the request thread; the report lands in reports/runs/.'), form, status);
}
