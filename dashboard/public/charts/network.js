// The sampled nodes as a force layout, malicious ones marked, one circuit drawn through its hops. The layout is
// stepped headless (a fixed number of ticks, d3-force's own seeded randomness): the same report always gives
// the same picture, so screenshots are comparable.
const d3 = window.d3;

export function networkView(network, circuitId, { width = 460, height = 340, testid = 'network-svg' } = {}) {
  const nodes = network.nodes.map((n) => ({ ...n }));
  const ids = new Set(nodes.map((n) => n.id));
  const links = network.links.filter((l) => ids.has(l.source) && ids.has(l.target)).map((l) => ({ ...l }));
  const sim = d3
    .forceSimulation(nodes)
    .force('link', d3.forceLink(links).id((d) => d.id).distance(30).strength(0.3))
    .force('charge', d3.forceManyBody().strength(-40))
    .force('x', d3.forceX(width / 2).strength(0.06))
    .force('y', d3.forceY(height / 2).strength(0.08))
    .stop();
  sim.tick(220);
  // Fit the layout to the box (keeping its aspect ratio), whatever size the sample is.
  const pad = 24;
  const [x0, x1] = d3.extent(nodes, (n) => n.x);
  const [y0, y1] = d3.extent(nodes, (n) => n.y);
  const k = Math.min((width - 2 * pad) / Math.max(1, x1 - x0), (height - 2 * pad) / Math.max(1, y1 - y0));
  for (const n of nodes) {
    n.x = width / 2 + (n.x - (x0 + x1) / 2) * k;
    n.y = height / 2 + (n.y - (y0 + y1) / 2) * k;
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const circuit = network.circuits?.find((c) => c.id === circuitId);
  const path = circuit ? [circuit.user, ...circuit.hops].filter((id) => byId.has(id)) : [];
  const onCircuit = new Set(path);
  const svg = d3.create('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height).attr('data-testid', testid);
  svg.append('g').selectAll('line').data(links).join('line').attr('class', 'link')
    .attr('x1', (l) => l.source.x).attr('y1', (l) => l.source.y).attr('x2', (l) => l.target.x).attr('y2', (l) => l.target.y);
  if (path.length > 1) {
    svg.append('path').attr('class', 'circuit').attr('data-testid', 'circuit-path').attr('d', d3.line()(path.map((id) => [byId.get(id).x, byId.get(id).y])));
  }
  const g = svg.append('g').selectAll('g').data(nodes).join('g').attr('transform', (n) => `translate(${n.x},${n.y})`);
  g.append('circle')
    .attr('r', (n) => (onCircuit.has(n.id) ? 7 : 5))
    .attr('class', (n) => `node${n.malicious ? ' malicious' : ''}${onCircuit.has(n.id) ? ' on-circuit' : ''}`)
    .attr('data-id', (n) => n.id)
    .append('title')
    .text((n) => `${n.id} (${n.role}${n.malicious ? ', malicious' : ''})`);
  g.filter((n) => onCircuit.has(n.id)).append('text').attr('x', 8).attr('y', -6).text((n) => (circuit.user === n.id ? `${n.id} (user)` : n.id));
  return svg.node();
}
