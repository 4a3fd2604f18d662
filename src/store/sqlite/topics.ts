/** Topics and their matches. */
import { ExitCode, StoreError } from '../../core/errors.js';
import type { TopicStore } from '../api.js';
import { TOPIC_QUARTERS_SELECT } from '../db.js';
import { canonicalOrder, type MatchableItem, type TopicRow } from '../model.js';
import { SqlitePart, type SqlStatement } from './part.js';

export class SqliteTopics extends SqlitePart implements TopicStore {
  /**
   * Records the configured topics; a topic whose definition changed is marked so its matches are redone.
   * A stored topic the config does not have is marked away, with the newest item id of that moment
   * (`away:ID:definition`): items stored while it is away are not matched against it, so when it comes back
   * (`topics remove`, then `topics add`; or a config without it used to fetch meanwhile) its matches are redone
   * over every stored item — but only if items were stored since it left (a config with fewer topics used
   * only to read, `moments --config other.yaml`, costs nothing). Before, it came back with its old matches
   * only: a hole in its history.
   */
  syncTopics(defs: { name: string; definition: string }[]): TopicRow[] {
    return this.guard(() => {
      const select = this.stmt('SELECT id, definition FROM topics WHERE name = ?');
      if (this.db.readonly) return this.knownTopics(defs, select);
      const insert = this.stmt("INSERT INTO topics (name, definition) VALUES (?, '')");
      const setDefinition = this.stmt('UPDATE topics SET definition = ? WHERE id = ?');
      const tx = this.db.transaction(() => {
        const names = new Set(defs.map((d) => d.name));
        this.renameByCase(defs, names);
        const stored = this.stmt("SELECT id, name, definition FROM topics WHERE definition <> ''").all() as { id: number; name: string; definition: string }[];
        let newest: number | undefined;
        for (const t of stored) {
          if (names.has(t.name) || storedOf(t.definition).newest !== null) continue;
          newest ??= Number((this.stmt('SELECT COALESCE(MAX(id), 0) AS n FROM items').get() as { n: number | string }).n);
          setDefinition.run(`away:${newest}:${t.definition}`, t.id);
        }
        return defs.map((d) => {
          let row = select.get(d.name) as { id: number; definition: string } | undefined;
          if (!row) {
            insert.run(d.name);
            row = select.get(d.name) as { id: number; definition: string };
          }
          const stored = storedOf(row.definition);
          // the stored matches were made with another definition, and this one before them: two hosts (two
          // configs) each redoing the topic's matches in turn
          const otherwise = stored.definition !== d.definition && stored.previous === d.definition ? { definedOtherwise: stored.definition } : {};
          const was = stored.definition !== d.definition && stored.definition !== '' ? { was: stored.definition } : {};
          if (stored.newest === null) return { id: row.id, name: d.name, changed: stored.definition !== d.definition, ...otherwise, ...was };
          // back: the same definition, and nothing stored while it was away: its matches stand
          const missed = stored.definition !== d.definition || this.stmt('SELECT 1 FROM items WHERE id > ? LIMIT 1').get(stored.newest) !== undefined;
          if (!missed) setDefinition.run(storedValue(d.definition, stored.previous), row.id);
          return { id: row.id, name: d.name, changed: missed, ...otherwise, ...(missed ? was : {}) };
        });
      });
      return tx.immediate();
    });
  }

  /**
   * A topic renamed in case only ("acme" to "Acme": the config and `topics add` take names whatever their case)
   * is the same topic: its stored row takes the new name, with its history, instead of a new topic beside it
   * and the old one away. (A stored name some configured topic has as written is left alone.)
   */
  private renameByCase(defs: { name: string }[], names: Set<string>): void {
    const stored = this.stmt('SELECT id, name FROM topics').all() as { id: number; name: string }[];
    const exact = new Set(stored.map((t) => t.name));
    for (const d of defs) {
      if (exact.has(d.name)) continue;
      const key = d.name.toLowerCase();
      const was = stored.find((t) => t.name.toLowerCase() === key && !names.has(t.name));
      if (!was) continue;
      this.moveName(was.id, was.name, d.name);
      exact.delete(was.name);
      exact.add(d.name);
      was.name = d.name;
    }
  }

  /**
   * `topics rename`: the stored topic `from` (as written, else in any case) takes the name `to`, with its
   * history — its matches, counts and moments by its id, and what is kept by its name (labels, events,
   * silences, notifications) — in one transaction. Null when no topic of that name is stored (nothing to
   * move). A stored topic named `to` in any case (another history: one removed from the config, or a case
   * variant kept from before renames in case kept one) is refused, nothing changed: the two are not mixed.
   */
  renameTopic(from: string, to: string): { id: number; was: string } | null {
    return this.guard(() =>
      this.db
        .transaction(() => {
          const stored = this.stmt('SELECT id, name FROM topics').all() as { id: number; name: string }[];
          const was = stored.find((t) => t.name === from) ?? stored.find((t) => t.name.toLowerCase() === from.toLowerCase());
          const taken = stored.find((t) => t.id !== was?.id && t.name.toLowerCase() === to.toLowerCase());
          if (taken) {
            throw new StoreError(`${this.conn.file}: the database already holds a topic "${taken.name}", another history than ${was?.name ?? from}'s`, {
              hint: `give another name, or momentscan topics add ${JSON.stringify(taken.name)} to have that history back; nothing was renamed`,
              exitCode: ExitCode.USAGE,
            });
          }
          if (!was) return null;
          this.moveName(was.id, was.name, to);
          return { id: was.id, was: was.name };
        })
        .immediate(),
    );
  }

  /** Renames a stored topic: its row, and the rows that keep a topic by its name (labels, events, silences, notifications). */
  private moveName(id: number, from: string, to: string): void {
    this.stmt('UPDATE topics SET name = ? WHERE id = ?').run(to, id);
    for (const table of ['feedback', 'events', 'notify_silences', 'notify_outbox']) this.stmt(`UPDATE ${table} SET topic = ? WHERE topic = ?`).run(to, from);
  }

  /**
   * A read-only store cannot record a topic nor redo its matches: every topic must be there already, with
   * the same definition (the database was fetched with this config).
   */
  private knownTopics(defs: { name: string; definition: string }[], select: SqlStatement): TopicRow[] {
    let stored: { id: number; name: string; definition: string }[] | undefined;
    return defs.map((d) => {
      // (a topic whose name's case changed since the last fetch: the same topic, renamed by the next one)
      const row = (select.get(d.name) as { id: number; definition: string } | undefined) ??
        (stored ??= this.stmt('SELECT id, name, definition FROM topics').all() as { id: number; name: string; definition: string }[]).find((t) => t.name.toLowerCase() === d.name.toLowerCase());
      // (a topic away from the config that fetched last counts as defined as it was)
      if (!row || storedOf(row.definition).definition !== d.definition) {
        throw new StoreError(`${this.conn.file}: topic "${d.name}" is ${row ? 'defined differently' : 'not'} in the database, and this user may only read it`, {
          hint: 'use the config the database is fetched with, or ask its owner to run momentscan fetch with this one',
        });
      }
      return { id: row.id, name: d.name, changed: false };
    });
  }

  /** Topic names by id, for every topic ever configured. */
  topicNames(): Map<number, string> {
    return this.guard(() => new Map((this.stmt('SELECT id, name FROM topics').all() as { id: number; name: string }[]).map((t) => [t.id, t.name])));
  }

  topicsMatchedSince(fetchedSince: number, publishedSince: number): string[] {
    return this.guard(
      () =>
        this.stmt(
          `SELECT t.name FROM topics t
           WHERE EXISTS (SELECT 1 FROM item_topics it JOIN items i ON i.id = it.item_id
                         WHERE it.topic_id = t.id AND it.published_at >= ? AND i.fetched_at >= ?)
           ORDER BY t.name`,
        )
          .pluck()
          .all(publishedSince, fetchedSince) as string[],
    );
  }

  /** All stored items' text, in id order, a page at a time (for re-matching a changed topic). */
  *itemTexts(pageSize = 5000): Generator<MatchableItem[]> {
    const page = this.stmt(
      `SELECT i.id, i.guid, i.canonical_url AS url, i.title, i.summary, i.published_at AS publishedAt, i.sentiment, i.language,
              i.story_id AS storyId, f.url AS feedUrl
       FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.id > ? ORDER BY i.id LIMIT ?`,
    );
    let after = 0;
    for (;;) {
      const rows = this.guard(() => page.all(after, pageSize) as MatchableItem[]);
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]!.id;
    }
  }

  /**
   * Replaces a topic's matches and records the definition they were made with, in one transaction.
   * The earliest copy of each story (in canonical order) counts for volume.
   */
  replaceTopicMatches(topicId: number, definition: string, matches: MatchableItem[]): void {
    this.guard(() => {
      const insert = this.stmt('INSERT INTO item_topics (topic_id, published_at, item_id, sentiment, story_first) VALUES (?, ?, ?, ?, ?)');
      const storyTopic = this.stmt('INSERT INTO story_topics (story_id, topic_id, first_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
      const tx = this.db.transaction(() => {
        const was = this.stmt('SELECT definition FROM topics WHERE id = ?').get(topicId) as { definition: string } | undefined;
        this.stmt('DELETE FROM item_topics WHERE topic_id = ?').run(topicId);
        // (which feeds carry the topic: filled again from the matches inserted below, by item_topics' trigger)
        this.stmt('DELETE FROM feed_topics WHERE topic_id = ?').run(topicId);
        this.stmt('DELETE FROM story_topics WHERE topic_id = ?').run(topicId);
        const ordered = [...matches].sort(canonicalOrder);
        for (const m of ordered) {
          const first = m.storyId === null ? 1 : storyTopic.run(m.storyId, topicId, m.publishedAt).changes;
          insert.run(topicId, m.publishedAt, m.id, m.sentiment, first);
        }
        // (the definition the matches were made with before: a host with it redoing them next is said so)
        this.stmt('UPDATE topics SET definition = ? WHERE id = ?').run(storedValue(definition, was ? storedOf(was.definition).definition : ''), topicId);
        this.stmt('DELETE FROM topic_quarters WHERE topic_id = ?').run(topicId);
        this.stmt(`INSERT INTO topic_quarters ${TOPIC_QUARTERS_SELECT} WHERE topic_id = ? GROUP BY 1, 2`).run(topicId);
      });
      tx.immediate();
    });
  }
}

/**
 * A topic's stored definition: the one its matches were made with; `newest`, when syncTopics marked it away
 * from the config (`away:ID:…`), the newest item id then; `previous`, the definition its matches were made
 * with before (`…\nwas:…`; a definition is JSON, one line), or null.
 */
function storedOf(stored: string): { newest: number | null; definition: string; previous: string | null } {
  const m = /^away:(\d+):/.exec(stored);
  const rest = m ? stored.slice(m[0].length) : stored;
  const was = rest.indexOf('\nwas:');
  return {
    newest: m ? Number(m[1]) : null,
    definition: was < 0 ? rest : rest.slice(0, was),
    previous: was < 0 ? null : rest.slice(was + '\nwas:'.length),
  };
}

/** A definition as stored, with the one before it (see storedOf). */
function storedValue(definition: string, previous: string | null): string {
  return previous && previous !== definition ? `${definition}\nwas:${previous}` : definition;
}
