import type { Config } from '../config/schema.js';
import { evaluate } from '../moments/evaluate.js';
import { Outbox, silenced } from '../notify/outbox.js';
import type { MomentRow } from '../render/moments.js';
import { sqliteOf, type Store } from '../store/store.js';
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

export function loadColumns(config: Config, store: Store, o: LoadOptions): Column[] {
  const names = o.topics.length ? o.topics : config.topics.map((t) => t.name);
  const result = evaluate(config, store, { asOf: o.asOf, from: o.from, topics: names, now: o.now });
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
    const silence = silenced(silences, name, o.now);
    return { name, mutedUntil: silence ? silence.endsAt : null, mutedByAll: silence?.topic === '*', moments, items };
  });
}

function momentRowIds(store: Store, rows: MomentRow[], topicIds: Map<string, number>): Map<string, number> {
  const find = sqliteOf(store).prepare('SELECT id FROM moments WHERE topic_id = ? AND kind = ? AND direction = ? AND start_at = ?').pluck();
  const out = new Map<string, number>();
  for (const m of rows) {
    const topicId = topicIds.get(m.topic);
    if (topicId === undefined) continue;
    const id = find.get(topicId, m.kind, m.direction, m.start) as number | undefined;
    if (id !== undefined) out.set(momentKey(m), id);
  }
  return out;
}

function verdictsOf(store: Store, ids: number[]): Map<number, Verdict> {
  if (ids.length === 0) return new Map();
  // a `planned` verdict (momentscan label) is real, its timing expected: watch shows it as real
  const rows = (sqliteOf(store).prepare(`SELECT moment_id AS id, verdict FROM feedback WHERE moment_id IN (${ids.map(() => '?').join(',')})`).all(...ids) as { id: number; verdict: Verdict | 'planned' }[]).map(
    (r) => ({ id: r.id, verdict: r.verdict === 'planned' ? 'real' : r.verdict }) as { id: number; verdict: Verdict },
  );
  return new Map(rows.map((r) => [r.id, r.verdict]));
}

/** Records (or, with null, withdraws) a verdict on a moment; `now` is the real clock. */
export function saveVerdict(store: Store, m: WatchMoment, verdict: Verdict | null, now: number): void {
  if (m.id === null) throw new Error('this moment is not recorded in the database');
  if (verdict === null) {
    sqliteOf(store).prepare('DELETE FROM feedback WHERE moment_id = ?').run(m.id);
    return;
  }
  const detail = (sqliteOf(store).prepare('SELECT detail FROM moments WHERE id = ?').pluck().get(m.id) as string | undefined) ?? '{}';
  sqliteOf(store)
    .prepare(
      `INSERT INTO feedback (moment_id, topic, kind, direction, start_at, verdict, score, detail, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (moment_id) DO UPDATE SET verdict = excluded.verdict, score = excluded.score, detail = excluded.detail, created_at = excluded.created_at`,
    )
    .run(m.id, m.topic, m.kind, m.direction, m.start, verdict, m.score, detail, now);
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
  const s = silenced(outbox.silences(now), topic, now);
  return { until: s ? s.endsAt : null, byAll: s?.topic === '*' };
}
