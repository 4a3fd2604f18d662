import { describe, expect, it } from 'vitest';
import { logNegBinomialUpperTail, logNormalUpperTail, logGamma } from '../../src/detect/stats.js';

function poissonTail(k: number, mean: number): number {
  let cdf = 0;
  let term = Math.exp(-mean);
  for (let i = 0; i < k; i++) {
    cdf += term;
    term *= mean / (i + 1);
  }
  return 1 - cdf;
}

describe('stats', () => {
  it.each([
    [1, 0],
    [5, Math.log(24)],
    [0.5, Math.log(Math.sqrt(Math.PI))],
  ])('logGamma(%d)', (x, want) => {
    expect(logGamma(x)).toBeCloseTo(want, 10);
  });

  it.each([
    [1, 1],
    [3, 1],
    [5, 2.5],
    [10, 3],
    [20, 4],
  ])('negative binomial tail P(X >= %d) tends to Poisson(%d) for a huge size', (k, mean) => {
    expect(Math.exp(logNegBinomialUpperTail(k, mean, 1e7))).toBeCloseTo(poissonTail(k, mean), 5);
  });

  it('negative binomial with size 1 is geometric: P(X >= k) = (m/(m+1))^k', () => {
    const m = 2;
    for (const k of [1, 2, 5, 9]) {
      expect(Math.exp(logNegBinomialUpperTail(k, m, 1))).toBeCloseTo((m / (m + 1)) ** k, 8);
    }
  });

  it('stays finite and monotone far into the tail, where plain probabilities underflow', () => {
    const a = logNegBinomialUpperTail(200, 1, 50);
    const b = logNegBinomialUpperTail(400, 1, 50);
    expect(Number.isFinite(a)).toBe(true);
    expect(b).toBeLessThan(a);
  });

  it('a count of zero is never surprising', () => {
    expect(logNegBinomialUpperTail(0, 3, 10)).toBe(0);
  });

  it.each([
    [0, 0.5],
    [1.96, 0.025],
    [3, 0.0013499],
  ])('normal upper tail at %d', (z, p) => {
    expect(Math.exp(logNormalUpperTail(z))).toBeCloseTo(p, 4);
  });

  it('normal tail is continuous where the asymptotic form takes over', () => {
    expect(logNormalUpperTail(4.9999)).toBeCloseTo(logNormalUpperTail(5.0001), 2);
    expect(-logNormalUpperTail(10) / Math.LN10).toBeCloseTo(23.1, 0);
  });
});
