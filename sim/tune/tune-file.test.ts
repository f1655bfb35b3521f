import { describe, expect, it } from 'vitest';
import { loadTuneFile, parseTuneText } from './tune-file.ts';
import { tuneMetric } from './tune-metrics.ts';

const good = `scenario: ../sweeps/messenger-noise-tiny.json
seeds: { from: 1, count: 4 }
space: { noise.ratePerS: [0.1, 1] }
targets: [{ metric: eveWorst.degreeOfAnonymity, min: 0.9 }]
`;

describe('tune file', () => {
  it('reads a minimal file with defaults, and the committed example', () => {
    const spec = parseTuneText(good, 'scenarios/tune/t.yaml');
    expect(spec).toMatchObject({ name: 't', seeds: [1, 2, 3, 4], cost: 'traffic.bandwidthOverhead', search: { method: 'halving', minSeeds: 2, eta: 3 } });
    expect(spec.targets).toEqual([{ metric: 'eveWorst.degreeOfAnonymity', min: 0.9, max: null }]);
    expect(loadTuneFile('scenarios/tune/noise.yaml').space.length).toBe(3);
  });

  // Each bad file gets one line naming the file and the field.
  it.each([
    ['targets: [{ metric: x.y, min: 1, max: 2 }]', /t\.yaml: targets\[0\]: give exactly one of min and max$/],
    ['targets: [{ metric: x.y }]', /targets\[0\]: give exactly one of min and max/],
    ['targets: [{ metric: eveWorst.wins, max: 1 }]', /targets\[0\]\.metric: unknown Eve figure; eveWorst\. takes one of top1, /],
    ['targets: [{ metric: "a..b", max: 1 }]', /targets\[0\]\.metric: must be a report path/],
    ['targets: []', /targets: /],
    ['targets: [{ metric: a, min: "high" }]', /targets\[0\]\.min: expected number/],
    ['targets: [{ metric: a, min: 1, wanted: 2 }]', /targets\[0\]: unknown field "wanted"/],
  ])('bad targets: %s', (line, message) => {
    const text = good.replace(/^targets:.*$/m, line);
    expect(() => parseTuneText(text, 't.yaml')).toThrow(message);
    try {
      parseTuneText(text, 't.yaml');
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it.each([
    [good.replace(/^space:.*$/m, 'space: {}'), /space: name at least one scenario field/],
    [good.replace(/^space:.*$/m, 'space: { "noise..rate": [1] }'), /space\.noise\.\.rate: /],
    [good.replace(/^space:.*$/m, 'space: { noise.ratePerS: [1, 1] }'), /space\.noise\.ratePerS: value 1 is listed twice/],
    [good.replace(/^seeds:.*$/m, 'seeds: [1]'), /search\.minSeeds: 2 is more than the 1 seeds listed/],
    [`${good}search: { method: anneal }`, /search\.method: /],
    [`${good}search: { eta: 1 }`, /search\.eta: /],
    [`${good}cost: eveWorst.speed`, /cost: unknown Eve figure/],
    [good.replace(/^scenario:.*\n/m, ''), /scenario: required field is missing/],
    [good.replace(/^seeds:.*\n/m, ''), /seeds: required field is missing/],
    [`${good}budget: 3`, /unknown field "budget"/],
    ['{', /t\.yaml: invalid YAML/],
  ])('bad file %#', (text, message) => {
    expect(() => parseTuneText(text, 't.yaml')).toThrow(message);
  });

  it('eveWorst takes the attack that does best for Eve on each figure', () => {
    const report = {
      traffic: { bandwidthOverhead: 1.5 },
      attacks: {
        eveByMethod: {
          timing: { top1: 0.5, candidates: 4, degreeOfAnonymity: 0.7, meanRank: 2 },
          size: { top1: 0.25, candidates: 4, degreeOfAnonymity: 0.95, meanRank: 1.5 },
        },
      },
    };
    expect(tuneMetric(report, 'eveWorst.top1')).toBe(0.5);
    expect(tuneMetric(report, 'eveWorst.top1OverChance')).toBe(2);
    expect(tuneMetric(report, 'eveWorst.degreeOfAnonymity')).toBe(0.7);
    expect(tuneMetric(report, 'eveWorst.meanRank')).toBe(1.5);
    expect(tuneMetric(report, 'traffic.bandwidthOverhead')).toBe(1.5);
    expect(tuneMetric(report, 'traffic.missing')).toBeNull();
    expect(tuneMetric({ attacks: { eveByMethod: null } }, 'eveWorst.top1')).toBeNull();
  });
});
