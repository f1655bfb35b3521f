// Sweep charts: the cost/benefit trade-off (one point per grid point, 95 % intervals, the Pareto frontier as a
// line) and one metric against one swept parameter (mean and 95 % interval over seeds, one line per setting of
// the other parameters).
import { COLORS, frame, legend } from './frame.js';

const d3 = window.d3;

/** Metrics that are fractions by definition: a t interval reaching past 0 or 1 (few seeds) is drawn cut there. */
const UNIT_METRIC = /(deliveryRatio|degreeOfAnonymity|top1|top5|auc|Share|Fraction|SuccessRate|SuccessRatio)( \(|$)/;
export const unitBounded = (name) => UNIT_METRIC.test(name ?? '');
const lo = (s, name) => { const v = s?.ci95?.[0] ?? s?.mean; return v != null && unitBounded(name) ? Math.max(0, v) : v; };
const hi = (s, name) => { const v = s?.ci95?.[1] ?? s?.mean; return v != null && unitBounded(name) ? Math.min(1, v) : v; };

/** points: [{ label, cost: SeedStat, benefit: SeedStat, onFrontier }]; frontier: the frontier points in cost order. */
export function tradeoffChart(points, frontier, { xLabel, yLabel }) {
  const pts = points.filter((p) => p.cost?.mean != null && p.benefit?.mean != null);
  const x = d3.scaleLinear().domain(d3.extent(pts.flatMap((p) => [lo(p.cost, xLabel), hi(p.cost, xLabel)]))).nice();
  const y = d3.scaleLinear().domain(d3.extent(pts.flatMap((p) => [lo(p.benefit, yLabel), hi(p.benefit, yLabel)]))).nice();
  if (x.domain()[0] === x.domain()[1]) x.domain([x.domain()[0] - 1, x.domain()[1] + 1]);
  if (y.domain()[0] === y.domain()[1]) y.domain([y.domain()[0] - 0.1, y.domain()[1] + 0.1]);
  const f = frame({ x, y, xLabel, yLabel, width: 560, height: 340, testid: 'tradeoff-svg' });
  const bars = f.g.append('g');
  for (const p of pts) {
    bars.append('line').attr('class', 'errorbar').attr('x1', x(lo(p.cost, xLabel))).attr('x2', x(hi(p.cost, xLabel))).attr('y1', y(p.benefit.mean)).attr('y2', y(p.benefit.mean));
    bars.append('line').attr('class', 'errorbar').attr('x1', x(p.cost.mean)).attr('x2', x(p.cost.mean)).attr('y1', y(lo(p.benefit, yLabel))).attr('y2', y(hi(p.benefit, yLabel)));
  }
  if (frontier.length > 0) {
    f.g.append('path').attr('class', 'frontier').attr('data-testid', 'frontier-line')
      .attr('d', d3.line()(frontier.map((p) => [x(p.cost.mean), y(p.benefit.mean)])));
  }
  f.g.selectAll('circle.point').data(pts).join('circle')
    .attr('class', (p) => `point${p.onFrontier ? ' on-frontier' : ''}`)
    .attr('r', 6)
    .attr('cx', (p) => x(p.cost.mean))
    .attr('cy', (p) => y(p.benefit.mean))
    .append('title').text((p) => `${p.label}\n${xLabel}: ${p.cost.mean.toPrecision(4)}\n${yLabel}: ${p.benefit.mean.toPrecision(4)}${p.onFrontier ? '\non the Pareto frontier' : ''}`);
  const div = document.createElement('div');
  div.append(f.svg.node(), legend([{ label: 'grid point (mean, 95 % CI over seeds)', color: '#2f6fde' }, { label: 'Pareto frontier', color: '#c62828' }]));
  return div;
}

/** series: [{ label, points: [{ x, stat }] }]; x numeric (linear scale) or not (band). */
export function metricVsParamChart(series, { xLabel, yLabel }) {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const numeric = xs.every((v) => typeof v === 'number');
  const x = numeric ? d3.scaleLinear().domain(d3.extent(xs)).nice() : d3.scalePoint().domain([...new Set(xs.map(String))]).padding(0.5);
  const pos = (v) => (numeric ? x(v) : x(String(v)));
  const all = series.flatMap((s) => s.points.flatMap((p) => [lo(p.stat, yLabel), hi(p.stat, yLabel)])).filter((v) => v != null);
  const y = d3.scaleLinear().domain(d3.extent(all)).nice();
  if (y.domain()[0] === y.domain()[1]) y.domain([y.domain()[0] - 1, y.domain()[1] + 1]);
  if (numeric && x.domain()[0] === x.domain()[1]) x.domain([x.domain()[0] - 1, x.domain()[1] + 1]);
  const f = frame({ x, y, xLabel, yLabel, width: 560, height: 320, testid: 'param-svg' });
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.filter((p) => p.stat?.mean != null).sort((a, b) => (numeric ? a.x - b.x : 0));
    f.g.append('path').attr('class', 'line').attr('stroke', color).attr('d', d3.line()(pts.map((p) => [pos(p.x), y(p.stat.mean)])));
    for (const p of pts) {
      f.g.append('line').attr('class', 'errorbar ci').attr('x1', pos(p.x)).attr('x2', pos(p.x)).attr('y1', y(lo(p.stat, yLabel))).attr('y2', y(hi(p.stat, yLabel)));
      f.g.append('circle').attr('class', 'param-point').attr('r', 4).attr('fill', color).attr('cx', pos(p.x)).attr('cy', y(p.stat.mean))
        .append('title').text(`${s.label}\n${xLabel} = ${p.x}\nmean ${p.stat.mean.toPrecision(4)}${p.stat.ci95 ? ` [${p.stat.ci95[0].toPrecision(3)}, ${p.stat.ci95[1].toPrecision(3)}]` : ''} (n = ${p.stat.n})`);
    }
  });
  const div = document.createElement('div');
  div.append(f.svg.node(), legend(series.map((s, i) => ({ label: s.label, color: COLORS[i % COLORS.length] }))));
  return div;
}
