// Number formatting for tables and cards: null shows as an en dash, ratios as percentages.
export function num(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (Number.isInteger(x)) return x.toLocaleString('en');
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en');
  return x.toPrecision(digits).replace(/\.?0+$/, '').replace(/\.?0+e/, 'e');
}

export function pct(x) {
  return x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`;
}

export function ms(x) {
  return x === null || x === undefined ? '–' : `${num(x)} ms`;
}

export function date(iso) {
  return iso ? iso.replace('T', ' ').slice(0, 19) : '–';
}

/** Creates an element with attributes and children (strings become text nodes: no HTML injection). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}
