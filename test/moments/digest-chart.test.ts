import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { formatDuration } from '../../src/core/time.js';
import { buildDigestModel } from '../../src/moments/digest.js';
import { renderDigestText } from '../../src/render/digest-text.js';
import { Store } from '../../src/store/store.js';
import { fetchedSample } from '../helpers/sample.js';

// With the default buckets (auto: 15 minutes) the sample's Acme spike runs from 15:30 to 00:15: 35
// buckets, more than a chart's 28 bars. Its chart must still show the onset and the peak (several
// buckets to a bar), not only the moment's last hours.
const H = 3_600_000;
const AS_OF = Date.parse('2026-11-19T08:00:00Z');
const sample = fetchedSample((text) => text.replace(/^ {2}bucket: 6h.*$/m, '  bucket: auto'));

describe('the digest chart of a moment longer than 28 buckets', () => {
  it('has several buckets to a bar, the onset and the peak in view, and says how long a bar is', () => {
    const store = Store.open(sample.db());
    try {
      const model = buildDigestModel(loadConfig(sample.config(), true), store, { periodStart: AS_OF - 24 * H, asOf: AS_OF, now: AS_OF });
      const acme = model.new.find((m) => m.topic === 'Acme Robotics')!;
      expect(acme.bucketMs).toBe(15 * 60_000);
      expect((acme.end - acme.start) / acme.bucketMs).toBeGreaterThan(28);
      const bar = acme.seriesBucketMs!;
      expect(bar % acme.bucketMs).toBe(0);
      expect(bar).toBeGreaterThan(acme.bucketMs);
      expect(acme.series.length).toBeLessThanOrEqual(28);
      const marked = acme.series.filter((b) => b.inMoment);
      // the moment's first bucket and its peak are in the chart, marked
      expect(marked[0]!.start).toBeLessThanOrEqual(acme.start);
      expect(marked.some((b) => b.start <= acme.peak && acme.peak < b.start + bar)).toBe(true);
      expect(marked.at(-1)!.start + bar).toBeGreaterThanOrEqual(acme.end);
      // bars hold every story of the moment
      expect(marked.reduce((n, b) => n + b.count, 0)).toBeGreaterThanOrEqual(acme.totalStories);
      const text = renderDigestText(model).replace(/\s+/g, ' ');
      expect(text).toContain(` ${formatDuration(bar)} buckets, ^ = the moment`);
    } finally {
      store.close();
    }
  });
});
