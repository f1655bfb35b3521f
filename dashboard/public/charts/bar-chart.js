// Horizontal bars: [{ label, value, highlight? }] (Eve's ranking: the true partner highlighted and labelled).
import { frame } from './frame.js';

const d3 = window.d3;

export function barChart(bars, { xLabel, testid, highlightNote = '' } = {}) {
  const height = Math.max(140, 40 + bars.length * 24);
  const x = d3.scaleLinear().domain([0, d3.max(bars, (b) => b.value) || 1]).nice();
  // The frame's y range runs bottom-up: reversed, so the first bar (Eve's top candidate) is at the top.
  const y = d3.scaleBand().domain(bars.map((b) => b.label).reverse()).padding(0.2);
  const f = frame({ x, y, xLabel, height, testid, margin: { right: 80 } });
  f.g.selectAll('rect.bar')
    .data(bars)
    .join('rect')
    .attr('class', (b) => `bar${b.highlight ? ' partner' : ''}`)
    .attr('data-label', (b) => b.label)
    .attr('x', 0)
    .attr('y', (b) => y(b.label))
    .attr('height', y.bandwidth())
    .attr('width', (b) => x(b.value));
  f.g.selectAll('text.note')
    .data(bars.filter((b) => b.highlight))
    .join('text')
    .attr('class', 'note partner-note')
    .attr('x', (b) => x(b.value) + 4)
    .attr('y', (b) => y(b.label) + y.bandwidth() / 2 + 4)
    .text(highlightNote);
  return f.svg.node();
}

/** Histogram of values in [lo, hi] with `bins` equal bins; marks a threshold line when given. */
export function histogram(values, { lo = 0, hi = 1, bins = 10, xLabel, yLabel = 'victims', threshold, testid } = {}) {
  const bin = d3.bin().domain([lo, hi]).thresholds(d3.range(lo, hi, (hi - lo) / bins).slice(1));
  const groups = bin(values);
  const x = d3.scaleLinear().domain([lo, hi]);
  const most = d3.max(groups, (g) => g.length) || 1;
  const y = d3.scaleLinear().domain([0, most]).nice();
  // Counts: whole-number ticks only.
  const f = frame({ x, y, xLabel, yLabel, testid, yTicks: Math.min(5, most), yFormat: 'd' });
  f.g.selectAll('rect.bar')
    .data(groups)
    .join('rect')
    .attr('class', 'bar hist-bar')
    .attr('x', (g) => x(g.x0) + 1)
    .attr('width', (g) => Math.max(0, x(g.x1) - x(g.x0) - 2))
    .attr('y', (g) => y(g.length))
    .attr('height', (g) => y(0) - y(g.length));
  if (threshold !== undefined) {
    f.g.append('line').attr('x1', x(threshold)).attr('x2', x(threshold)).attr('y1', 0).attr('y2', f.innerHeight).attr('stroke', '#c62828').attr('stroke-dasharray', '4 3');
  }
  return f.svg.node();
}
