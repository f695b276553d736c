// Evaluation arithmetic on hand-computed inputs: log-softmax, KL divergence,
// llama.cpp's mean ± error, percentiles and medians, scoring windows of both
// perplexity methods, and the sampler (greedy, top-k, top-p, seeds).
import { describe, expect, it } from 'vitest';
import { Sampler, candidates } from '../../../electron/studio/evaluate/sampling.js';
import { Moments, klDivergence, logProbOf, logSoftmax, median, meanCovariance, percentile } from '../../../electron/studio/evaluate/token-stats.js';
import { scoringWindows } from '../../../electron/studio/evaluate/windows.js';

const logits = (p: number[]) => p.map(Math.log);

describe('token statistics', () => {
  it('log-softmax and log p of one token', () => {
    const l = [1, 2, 3];
    const z = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(Array.from(logSoftmax(l))).toEqual([1 - z, 2 - z, 3 - z].map((v) => expect.closeTo(v, 14)));
    expect(logProbOf([0, 1, 2, 3], 1, 3, 2)).toBeCloseTo(3 - z, 14);
  });

  it('KL divergence of known distributions', () => {
    // KL([½, ½] ‖ [0.9, 0.1]) = ½ ln(½/0.9) + ½ ln(½/0.1) = 0.5108256…
    expect(klDivergence(logSoftmax(logits([0.5, 0.5])), logSoftmax(logits([0.9, 0.1])))).toBeCloseTo(0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(5), 12);
    expect(klDivergence(logSoftmax(logits([0.9, 0.1])), logSoftmax(logits([0.5, 0.5])))).toBeCloseTo(0.9 * Math.log(1.8) + 0.1 * Math.log(0.2), 12);
    expect(klDivergence(logSoftmax([5, 1, -2]), logSoftmax([5, 1, -2]))).toBe(0);
    // A zero-probability token of P adds nothing.
    expect(klDivergence(logSoftmax([0, -Infinity]), logSoftmax([0, 0]))).toBeCloseTo(Math.log(2), 12);
  });

  it('mean ± error as llama.cpp computes it', () => {
    const m = new Moments();
    [1, 2, 3, 4].forEach((v) => m.add(v));
    // mean 2.5; E[v²] − E[v]² = 7.5 − 6.25 = 1.25; error √(1.25/3)
    expect(m.meanAndError()).toEqual({ mean: 2.5, error: Math.sqrt(1.25 / 3) });
    const a = new Moments(), b = new Moments();
    let ab = 0;
    [[1, 2], [2, 4], [3, 7]].forEach(([x, y]) => { a.add(x); b.add(y); ab += x * y; });
    // Σab = 2 + 8 + 21 = 31: (31/3 − 2·13/3)/2 = 5/6
    expect(meanCovariance(a, b, ab)).toBeCloseTo(5 / 6, 14);
  });

  it('percentiles interpolate linearly; medians of even counts average the middle two', () => {
    const s = [0, 10, 20, 30, 40];
    expect(percentile(s, 0.9)).toBeCloseTo(36, 12);
    expect(percentile(s, 0.5)).toBe(20);
    expect(percentile(s, 1)).toBe(40);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([1, 2, 10])).toBe(2);
  });
});

describe('scoring windows', () => {
  const tokens = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

  it("llama.cpp's chunks: BOS first, the second half scored", () => {
    const w = scoringWindows(tokens, 4, 'chunks', 1);
    expect(w).toEqual([
      { tokens: [1, 12, 13, 14], rows: [2], targets: [14] },
      { tokens: [1, 16, 17, 18], rows: [2], targets: [18] },
    ]);
    expect(scoringWindows(tokens, 6, 'chunks', undefined)).toEqual([{ tokens: tokens.slice(0, 6), rows: [3, 4], targets: [15, 16] }]);
    expect(() => scoringWindows(tokens, 11, 'chunks', 1)).toThrow(/at least one chunk of 11/);
  });

  it('whole sequence: every token after the first scored once, windows overlapping by half', () => {
    const w = scoringWindows(tokens, 4, 'whole', 1);
    expect(w.map((x) => x.targets).flat()).toEqual(tokens.slice(1));
    expect(w[0]).toEqual({ tokens: [11, 12, 13, 14], rows: [0, 1, 2], targets: [12, 13, 14] });
    expect(w[1]).toEqual({ tokens: [13, 14, 15, 16], rows: [1, 2], targets: [15, 16] });
    expect(scoringWindows(tokens, 64, 'whole', 1)).toEqual([{ tokens, rows: [0, 1, 2, 3, 4, 5, 6, 7, 8], targets: tokens.slice(1) }]);
  });
});

describe('sampling', () => {
  const l = logits([0.5, 0.3, 0.15, 0.05]);

  it('greedy takes the most likely token', () => {
    expect(new Sampler().next(l)).toBe(0);
    expect(new Sampler({ temperature: 0 }).next([1, 3, 3])).toBe(1);
  });

  it('top-k and top-p keep the right candidates, renormalised', () => {
    expect(candidates(l, { temperature: 1, topK: 2 })).toEqual({ ids: [0, 1], probs: [expect.closeTo(0.625, 12), expect.closeTo(0.375, 12)] });
    // cumulative 0.5, 0.8 ≥ 0.7 → two tokens
    expect(candidates(l, { temperature: 1, topP: 0.7 }).ids).toEqual([0, 1]);
    expect(candidates(l, { temperature: 1, topP: 0.81 }).ids).toEqual([0, 1, 2]);
    // temperature 2 flattens: p ∝ √p
    const flat = candidates(l, { temperature: 2 }).probs;
    const r = [0.5, 0.3, 0.15, 0.05].map(Math.sqrt), z = r.reduce((a, b) => a + b);
    flat.forEach((p, i) => expect(p).toBeCloseTo(r[i] / z, 12));
  });

  it('a seed gives the same draws; frequencies follow the distribution', () => {
    const draw = (seed: number) => { const s = new Sampler({ temperature: 1, seed }); return Array.from({ length: 4000 }, () => s.next(l)); };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
    const freq = [0, 1, 2, 3].map((i) => a.filter((x) => x === i).length / a.length);
    [0.5, 0.3, 0.15, 0.05].forEach((p, i) => expect(Math.abs(freq[i] - p)).toBeLessThan(0.03));
  });

  it('bad settings are refused', () => {
    expect(() => new Sampler({ temperature: -1 })).toThrow(/temperature/);
    expect(() => new Sampler({ topP: 0 })).toThrow(/top-p/);
    expect(() => new Sampler({ topK: 1.5 })).toThrow(/top-k/);
  });
});
