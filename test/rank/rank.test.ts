import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/schema.js';
import { rankMoments } from '../../src/rank/rank.js';
import { sampleMoment } from '../helpers/moments.js';

describe('rank.accountsWeight', () => {
  const plain = sampleMoment({ topic: 'Northwind Airlines', score: 20 });
  const involved = sampleMoment({ topic: 'Acme Robotics', score: 19, accounts: [{ id: 1, name: 'Acme', domain: 'acme.com', items: 3, confidence: 0.95 }] });
  const byName = sampleMoment({ topic: 'Globex', score: 18.5, accounts: [{ id: 2, name: 'Globex', domain: null, items: 1, confidence: 0.6 }] });

  it('0 ranks as if no account were known', () => {
    expect(rankMoments([involved, byName, plain], undefined, { accountsWeight: 0 }).map((m) => m.topic)).toEqual(['Northwind Airlines', 'Acme Robotics', 'Globex']);
  });

  it('a weight lifts moments involving accounts, by how sure the match is', () => {
    const ranked = rankMoments([plain, byName, involved], undefined, { accountsWeight: 2 });
    expect(ranked.map((m) => [m.topic, m.attention])).toEqual([
      ['Acme Robotics', Math.round((19 + Math.log2(12) + 2 + 2 * 0.95) * 100) / 100],
      ['Northwind Airlines', Math.round((20 + Math.log2(12) + 2) * 100) / 100],
      ['Globex', Math.round((18.5 + Math.log2(12) + 2 + 2 * 0.6) * 100) / 100],
    ]);
  });

  it('is read from the config, 2 by default', () => {
    expect(validateConfig({}, '/cfg/m.yaml').rank.accountsWeight).toBe(2);
    expect(validateConfig({ rank: { accountsWeight: 0.5 } }, '/cfg/m.yaml').rank.accountsWeight).toBe(0.5);
  });
});
