// Fetch helpers: JSON in, JSON out; an API error becomes an Error carrying the server's one-line message.
export async function getJson(url) {
  const res = await fetch(url);
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

export async function postJson(url, value) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

/** The value at a dot path, or undefined. */
export function at(obj, path) {
  return path.split('.').reduce((v, k) => (v !== null && typeof v === 'object' ? v[k] : undefined), obj);
}
