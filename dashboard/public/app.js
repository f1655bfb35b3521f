// Hash router: #/runs, #/run/<path>, #/sweeps, #/sweep/<name>, #/tune/<name>, #/compare?a=&b=, #/new. Each view renders into
// <main id="view"> and sets data-view when its data has loaded (the browser tests wait for it).
import { el } from './format.js';
import { runsView } from './views/runs.js';
import { runView } from './views/run.js';
import { sweepsView, sweepView } from './views/sweeps.js';
import { tuneView } from './views/tune.js';
import { compareView } from './views/compare.js';
import { newRunView } from './views/new-run.js';

const ROUTES = [
  [/^#\/run\/(.+)$/, (m) => runView(decodeURIComponent(m[1])), 'runs'],
  [/^#\/sweeps\/?$/, () => sweepsView(), 'sweeps'],
  [/^#\/sweep\/(.+)$/, (m) => sweepView(decodeURIComponent(m[1])), 'sweeps'],
  [/^#\/tune\/(.+)$/, (m) => tuneView(decodeURIComponent(m[1])), 'sweeps'],
  [/^#\/compare(?:\?(.*))?$/, (m) => compareView(new URLSearchParams(m[1] ?? '')), 'compare'],
  [/^#\/new\/?$/, () => newRunView(), 'new'],
  [/^.*$/, () => runsView(), 'runs'],
];

let generation = 0;

async function route() {
  const mine = ++generation;
  const main = document.getElementById('view');
  const hash = location.hash || '#/runs';
  const [re, view, nav] = ROUTES.find(([r]) => r.test(hash));
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.nav === nav);
  main.removeAttribute('data-view');
  main.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    const node = await view(hash.match(re));
    if (mine !== generation) return; // the user navigated on meanwhile
    main.replaceChildren(node);
    main.dataset.view = nav;
  } catch (err) {
    if (mine !== generation) return;
    main.replaceChildren(el('p', { class: 'error', 'data-testid': 'view-error' }, String(err.message ?? err)));
    main.dataset.view = 'error';
  }
}

window.addEventListener('hashchange', route);
route();
