// An SVG with margins, axes and axis labels: the frame every chart draws in. d3 comes from /d3.min.js (global).
const d3 = window.d3;

export const COLORS = ['#2f6fde', '#c62828', '#2e7d32', '#b26a00', '#7b1fa2', '#00838f', '#5d4037', '#455a64'];

/**
 * frame({ width, height, x: scale, y: scale, xLabel, yLabel }) -> { svg, g, x, y, innerWidth, innerHeight }.
 * Scales come without ranges; the frame sets them.
 */
export function frame({ width = 440, height = 260, x, y, xLabel = '', yLabel = '', xFormat, yFormat, yTicks = 5, testid, margin = {} }) {
  const m = { top: 12, right: 16, bottom: 40, left: 62, ...margin };
  const innerWidth = width - m.left - m.right;
  const innerHeight = height - m.top - m.bottom;
  x.range([0, innerWidth]);
  y.range([innerHeight, 0]);
  const svg = d3.create('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);
  if (testid) svg.attr('data-testid', testid);
  const g = svg.append('g').attr('transform', `translate(${m.left},${m.top})`);
  g.append('g').attr('class', 'grid').call(d3.axisLeft(y).ticks(yTicks).tickSize(-innerWidth).tickFormat('')).select('.domain').remove();
  const xAxis = x.bandwidth ? d3.axisBottom(x) : d3.axisBottom(x).ticks(6, xFormat);
  g.append('g').attr('class', 'axis').attr('transform', `translate(0,${innerHeight})`).call(xAxis);
  g.append('g').attr('class', 'axis').call(d3.axisLeft(y).ticks(yTicks, yFormat));
  svg.append('text').attr('x', m.left + innerWidth / 2).attr('y', height - 6).attr('text-anchor', 'middle').text(xLabel);
  svg.append('text').attr('transform', `translate(11,${m.top + innerHeight / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(yLabel);
  return { svg, g, x, y, innerWidth, innerHeight };
}

/** A legend row: [{ label, color }]. */
export function legend(items) {
  const div = document.createElement('div');
  div.className = 'legend';
  for (const { label, color } of items) {
    const span = document.createElement('span');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = color;
    span.append(sw, label);
    div.append(span);
  }
  return div;
}
