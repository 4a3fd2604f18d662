import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { buildDigestModel } from '../../src/moments/digest.js';
import { evaluate } from '../../src/moments/evaluate.js';
import { Store } from '../../src/store/store.js';
import { fetchedSample, SAMPLE_CONFIG } from '../helpers/sample.js';

// A period shorter than a bucket (an hourly `moments --since 1h`, a second `digest --since last`) lies
// inside the bucket that is not over yet. A moment still going then — its last flagged bucket just ended —
// is ongoing, and must be reported as such, not left out (moments) or called faded (digest).
const H = 3_600_000;
// the sample's Northwind tone shift runs to 12:00, the end of the last 6-hour bucket judged at these times
const AT = Date.parse('2026-11-20T12:00:00Z');
const sample = fetchedSample();

describe('a period shorter than a bucket', () => {
  it.each([
    ['12:30, since 1h (11:30)', AT + H / 2, AT - H / 2],
    ['13:00, since 1h (12:00)', AT + H, AT],
    ['17:59, since 15m', AT + 6 * H - 60_000, AT + 6 * H - 16 * 60_000],
  ])('moments at %s list the ongoing tone shift', (_name, asOf, from) => {
    const config = loadConfig(SAMPLE_CONFIG, true);
    const store = Store.open(sample.copy());
    try {
      const rows = evaluate(config, store, { asOf, from }).rows.filter((m) => m.topic === 'Northwind Airlines');
      expect(rows.map((m) => [m.kind, m.ongoing, m.end])).toEqual([['sentiment-shift', true, AT]]);
    } finally {
      store.close();
    }
  });

  it('a digest from 12:00 to 12:00:30, after one that ended at 12:00, has the tone shift still ongoing, not faded', () => {
    const config = loadConfig(SAMPLE_CONFIG, true);
    const store = Store.open(sample.copy());
    try {
      const first = buildDigestModel(config, store, { periodStart: AT - 24 * H, asOf: AT, now: AT });
      expect(first.new.map((m) => [m.topic, m.ongoing])).toContainEqual(['Northwind Airlines', true]);
      const next = buildDigestModel(config, store, { periodStart: AT, asOf: AT + 30_000, now: AT + 30_000 });
      expect(next.faded.map((m) => m.topic)).toEqual([]);
      expect(next.ongoing.map((m) => [m.topic, m.ongoing])).toEqual([['Northwind Airlines', true]]);
    } finally {
      store.close();
    }
  });
});
