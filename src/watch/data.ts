import type { Config } from '../config/schema.js';
import { evaluate } from '../moments/evaluate.js';
import { Outbox, silencedUntil } from '../notify/outbox.js';
import type { MomentRow } from '../render/moments.js';
import type { Store } from '../store/store.js';
import type { Column, Verdict, WatchItem, WatchMoment } from './state.js';

/**
 * What the watch view shows, read from the database: per topic, its moments (evaluated as `moments`
 * does, and recorded the same way) and its newest items, whether it is muted, and the verdicts given.
 */

export interface LoadOptions {
  asOf: number;
  from: number;
  /** Only these topics (names as configured), in this order; all when empty. */
  topics: string[];
  /** Items per column, newest first. */
  items: number;
  /** The real clock: mutes (silences) in force now. */
  now: number;
}

export function momentKey(m: { topic: string; kind: string; direction: string; start: number }): string {
  return `${m.topic}|${m.kind}|${m.direction}|${m.start}`;
}

/** `warn` is told, in one line each, of topics whose stored matches were redone for this config (as `moments` says). */
export function loadColumns(config: Config, store: Store, o: LoadOptions, warn?: (line: string) => void): Column[] {
  const names = o.topics.length ? o.topics : config.topics.map((t) => t.name);
  const result = evaluate(config, store, { asOf: o.asOf, from: o.from, topics: names, now: o.now, ...(warn ? { warn } : {}) });
  const wanted = new Set(names);
  const topicIds = new Map([...store.topicNames()].filter(([, n]) => wanted.has(n)).map(([id, n]) => [n, id] as const));
  const momentIds = momentRowIds(store, result.rows, topicIds);
  const verdicts = verdictsOf(store, [...momentIds.values()]);
  const silences = new Outbox(store).silences(o.now);
  return names.map((name) => {
    const moments: WatchMoment[] = result.rows
      .filter((m) => m.topic === name)
      .sort((a, b) => Number(b.ongoing) - Number(a.ongoing) || b.end - a.end || b.score - a.score)
      .map((m) => {
        const key = momentKey(m);
        const id = momentIds.get(key) ?? null;
        return {
          type: 'moment',
          key,
          id,
          topic: m.topic,
          kind: m.kind,
          direction: m.direction,
          score: m.score,
          start: m.start,
          end: m.end,
          ongoing: m.ongoing,
          stage: m.stage,
          firstSeenAt: m.firstSeenAt,
          topTerms: m.topTerms.slice(0, 5),
          link: m.examples.find((e) => e.link)?.link ?? null,
          verdict: id !== null ? (verdicts.get(id) ?? null) : null,
          planned: m.planned,
          fresh: false,
        };
      });
    const topicId = topicIds.get(name);
    const listed = topicId === undefined ? [] : store.listItems({ from: o.from, to: o.asOf + 1, limit: o.items, topicIds: [topicId] });
    const items: WatchItem[] = listed.map((it) => ({
      type: 'item',
      id: it.id,
      title: it.title,
      link: it.link,
      source: it.source ?? it.sourceDomain ?? it.feedKind ?? '',
      publishedAt: it.publishedAt,
      sentiment: it.sentiment,
      // the strongest moment whose span holds the item
      momentKey: moments.filter((m) => it.publishedAt >= m.start && it.publishedAt < m.end).sort((a, b) => b.score - a.score)[0]?.key ?? null,
    }));
    const silence = silencedUntil(silences, name, o.now);
    return { name, mutedUntil: silence?.until ?? null, mutedByAll: silence?.byAll ?? false, moments, items };
  });
}

function momentRowIds(store: Store, rows: MomentRow[], topicIds: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of rows) {
    const topicId = topicIds.get(m.topic);
    if (topicId === undefined) continue;
    const id = store.feedback.momentRowId(topicId, m.kind, m.direction, m.start);
    if (id !== null) out.set(momentKey(m), id);
  }
  return out;
}

function verdictsOf(store: Store, ids: number[]): Map<number, Verdict> {
  // a `planned` verdict (momentscan label) is real, its timing expected: watch shows it as real
  return new Map([...store.feedback.verdicts(ids)].map(([id, v]) => [id, v === 'planned' ? 'real' : v]));
}

/** Records (or, with null, withdraws) a verdict on a moment; `now` is the real clock. */
export function saveVerdict(store: Store, m: WatchMoment, verdict: Verdict | null, now: number): void {
  if (m.id === null) throw new Error('this moment is not recorded in the database');
  store.feedback.saveVerdict({ momentId: m.id, topic: m.topic, kind: m.kind, direction: m.direction, start: m.start, verdict, score: m.score }, now);
}

/**
 * Mutes a topic (a notify silence of `forMs`, so its notifications are held too) or unmutes it (ends its
 * own silences in force). Returns until when it is muted now, null when not, and whether a silence of
 * every topic (*) is what mutes it.
 */
export function setMuted(store: Store, topic: string, mute: boolean, now: number, forMs: number): { until: number | null; byAll: boolean } {
  const outbox = new Outbox(store);
  if (mute) {
    outbox.addSilence({ topic, startsAt: now, endsAt: now + forMs, comment: 'muted in momentscan watch' }, now);
  } else {
    for (const s of outbox.silences(now)) if (s.topic === topic && s.startsAt <= now) outbox.removeSilence(s.id);
  }
  const s = silencedUntil(outbox.silences(now), topic, now);
  return { until: s?.until ?? null, byAll: s?.byAll ?? false };
}
