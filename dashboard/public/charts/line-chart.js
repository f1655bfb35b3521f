// Lines over a shared x: [{ label, x: number[], y: number[], color?, step? }]; optional diagonal (ROC).
import { COLORS, frame, legend } from './frame.js';

const d3 = window.d3;

export function lineChart(series, { xLabel, yLabel, xDomain, yDomain, diagonal = false, testid, yFormat, xFormat } = {}) {
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y);
  const x = d3.scaleLinear().domain(xDomain ?? d3.extent(xs)).nice();
  const y = d3.scaleLinear().domain(yDomain ?? [0, d3.max(ys) || 1]).nice();
  const f = frame({ x, y, xLabel, yLabel, testid, yFormat, xFormat });
  if (diagonal) f.g.append('line').attr('x1', x(0)).attr('y1', y(0)).attr('x2', x(1)).attr('y2', y(1)).attr('stroke', '#bbb').attr('stroke-dasharray', '4 3');
  series.forEach((s, i) => {
    const line = d3.line().x((d) => x(d[0])).y((d) => y(d[1]));
    if (s.step) line.curve(d3.curveStepAfter);
    f.g.append('path')
      .datum(s.x.map((v, j) => [v, s.y[j]]))
      .attr('class', 'line')
      .attr('data-series', s.label)
      .attr('stroke', s.color ?? COLORS[i % COLORS.length])
      .attr('d', line);
  });
  const div = document.createElement('div');
  div.append(f.svg.node(), legend(series.map((s, i) => ({ label: s.label, color: s.color ?? COLORS[i % COLORS.length] }))));
  return div;
}
