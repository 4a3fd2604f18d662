/** Known accounts (companies from the CRM), their contacts, and which items involve them. */
import { registrableDomain } from '../../core/domain.js';
import { UsageError } from '../../core/errors.js';
import { normalizeName } from '../../core/names.js';
import type { AccountStore } from '../api.js';
import type { AccountImport, AccountMatchRow, AccountRecord, AccountRow, ImportResult, ItemAccount, MatchableAccountItem, MomentAccount } from '../model.js';
import { SqlitePart } from './part.js';

const json = (list: string[]) => JSON.stringify([...new Set(list)].sort());
const list = (text: string) => JSON.parse(text) as string[];

/** Items asked about at once for their accounts (itemAccounts): a listing's page. */
const ACCOUNT_PAGE = 1000;

/** Text compared as SQLite's BINARY collation does (UTF-8 bytes), not by UTF-16 code units as JavaScript's <. */
function byteOrder(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export class SqliteAccounts extends SqlitePart implements AccountStore {
  /** Every account with its contacts, in id order: what the matcher is compiled from. */
  accountRecords(): AccountRecord[] {
    return this.guard(() => {
      const rows = this.stmt('SELECT id, name, domain, aliases, handles, external_id AS externalId, origin FROM accounts ORDER BY id').all() as (Omit<AccountRecord, 'aliases' | 'handles' | 'contacts'> & { aliases: string; handles: string })[];
      const contacts = this.stmt('SELECT account_id AS accountId, email, name, handles, external_id AS externalId FROM account_contacts ORDER BY id').all() as { accountId: number; email: string | null; name: string | null; handles: string; externalId: string | null }[];
      const byAccount = new Map<number, AccountRecord['contacts']>();
      for (const c of contacts) {
        const l = byAccount.get(c.accountId) ?? [];
        l.push({ email: c.email, name: c.name, handles: list(c.handles), externalId: c.externalId });
        byAccount.set(c.accountId, l);
      }
      return rows.map((r) => ({ ...r, aliases: list(r.aliases), handles: list(r.handles), contacts: byAccount.get(r.id) ?? [] }));
    });
  }

  /** Accounts for listing: each with how many contacts and matched items, and its latest matched item's time. */
  listAccounts(): AccountRow[] {
    return this.guard(() => {
      // counted in item_accounts' (account_id, item_id) index, no item read
      const counts = new Map((this.stmt('SELECT account_id, count(*) FROM item_accounts GROUP BY account_id').raw().all() as [number, number][]).map(([id, n]) => [Number(id), Number(n)]));
      const last = this.latestItems(counts);
      return this.accountRecords().map((a) => ({ ...a, items: counts.get(a.id) ?? 0, lastItemAt: last.get(a.id) ?? null }));
    });
  }

  /**
   * Each account's latest item (its greatest published_at), without reading every matched item (each
   * account's items joined to their rows: ~0.9 s of `accounts` and `status` on a million-item history).
   * The fetches are walked from the newest back, one fetch's items at a time (items_fetched), and an account
   * is settled once its latest item so far is at least the next fetch's time plus the most any item was ever
   * published ahead of its fetch (story_state.max_lead): no item fetched then or before is later. An account
   * not settled within a quarter of the matches (one whose items are all old, or a store whose max_lead is
   * huge) has its own items read, as before.
   */
  private latestItems(counts: Map<number, number>): Map<number, number> {
    const best = new Map<number, number>();
    if (counts.size === 0) return best;
    const lead = Number((this.stmt('SELECT max_lead FROM story_state').pluck().get() as number | null | undefined) ?? 0);
    let budget = 0;
    for (const n of counts.values()) budget += n;
    budget = Math.max(10_000, budget / 4);
    const before = this.stmt('SELECT max(fetched_at) FROM items WHERE fetched_at < ?').pluck();
    const fetch = this.stmt(
      `SELECT ia.account_id, max(i.published_at), count(*) FROM items i JOIN item_accounts ia ON ia.item_id = i.id
       WHERE i.fetched_at = ? GROUP BY ia.account_id`,
    ).raw();
    const open = new Set(counts.keys());
    let at = before.get(Number.MAX_SAFE_INTEGER) as number | null;
    while (at !== null && open.size > 0 && budget > 0) {
      for (const [id, latest, n] of fetch.all(at) as [number, number, number][]) {
        const a = Number(id);
        const t = Number(latest);
        // (a settled account's latest is known: nothing it has from here on is later)
        if (open.has(a) && !(best.get(a)! >= t)) best.set(a, t);
        budget -= Number(n);
      }
      const next = before.get(at) as number | null;
      for (const a of open) {
        const b = best.get(a);
        if (b !== undefined && (next === null || b >= Number(next) + lead)) open.delete(a);
      }
      at = next === null ? null : Number(next);
    }
    if (open.size > 0) {
      const own = this.stmt('SELECT max(i.published_at) FROM item_accounts ia JOIN items i ON i.id = ia.item_id WHERE ia.account_id = ?').pluck();
      for (const a of open) {
        const t = own.get(a) as number | null;
        if (t === null || t === undefined) best.delete(a);
        else best.set(a, Number(t));
      }
    }
    return best;
  }

  /**
   * Stores imported accounts and contacts in one transaction. `replace` removes every account first;
   * otherwise an account with the same domain (or, without a domain, the same normalised name) is
   * updated, its aliases and handles joined, and a contact with the same e-mail moves to it. Its CRM id
   * and origin go together: a row without an id (an export's company the CRM did not give one) keeps both.
   */
  importAccounts(batch: AccountImport, o: { replace: boolean; now: number }): ImportResult {
    return this.guard(() => {
      const byDomain = this.stmt('SELECT id, aliases, handles FROM accounts WHERE domain = ?');
      const byName = this.stmt('SELECT id, aliases, handles FROM accounts WHERE domain IS NULL AND name_key = ?');
      const byAnyName = this.stmt('SELECT id FROM accounts WHERE name_key = ? ORDER BY domain IS NULL, id LIMIT 1').pluck();
      const byExternal = this.stmt('SELECT id FROM accounts WHERE external_id = ? ORDER BY id LIMIT 1').pluck();
      const insert = this.stmt(
        `INSERT INTO accounts (name, name_key, domain, aliases, handles, external_id, origin, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const update = this.stmt(
        `UPDATE accounts SET name = ?, name_key = ?, domain = coalesce(domain, ?), aliases = ?, handles = ?, external_id = coalesce(?, external_id),
           origin = CASE WHEN coalesce(?, '') = '' AND external_id IS NOT NULL THEN origin ELSE ? END, updated_at = ?
         WHERE id = ?`,
      );
      // accounts a contacts import made for a company not yet imported (origin hubspot-contacts, csv-contacts...)
      const madeByExternal = this.stmt("SELECT id, name, aliases, handles FROM accounts WHERE external_id = ? AND origin LIKE '%-contacts' ORDER BY id");
      const madeByName = this.stmt("SELECT id, name, aliases, handles FROM accounts WHERE name_key = ? AND origin LIKE '%-contacts' ORDER BY id");
      const adopt = this.stmt('UPDATE accounts SET domain = coalesce(?, domain), origin = ? WHERE id = ?');
      const moveContacts = this.stmt('UPDATE account_contacts SET account_id = ? WHERE account_id = ?');
      const forget = this.stmt('DELETE FROM accounts WHERE id = ?');
      const contactByEmail = this.stmt('SELECT id FROM account_contacts WHERE email = ?').pluck();
      const contactInsert = this.stmt('INSERT INTO account_contacts (account_id, email, name, handles, external_id) VALUES (?, ?, ?, ?, ?)');
      const contactUpdate = this.stmt('UPDATE account_contacts SET account_id = ?, name = coalesce(?, name), handles = ?, external_id = coalesce(?, external_id) WHERE id = ?');
      const tx = this.db.transaction((): ImportResult => {
        const result: ImportResult = { added: 0, updated: 0, contacts: 0, removed: 0, unlinked: [], joined: [] };
        if (o.replace) {
          result.removed = this.stmt('DELETE FROM accounts').run().changes;
        }
        const ids = new Map<string, number>();
        for (const a of batch.accounts) {
          if (a.fromContact) {
            // a contact's company joins the account stored for it — by the CRM's id of it, else by domain, else by
            // name — without renaming it
            const id =
              (a.externalId ? (byExternal.get(a.externalId) as number | undefined) : undefined) ??
              (a.domain ? (byDomain.get(a.domain) as { id: number } | undefined)?.id : undefined) ??
              (byAnyName.get(a.nameKey) as number | undefined);
            if (id !== undefined) {
              ids.set(a.key, id);
              continue;
            }
          }
          type Had = { id: number; name?: string; aliases: string; handles: string };
          // by domain; else an account of the same name stored without one (it gains the domain)
          let had = ((a.domain ? byDomain.get(a.domain) : undefined) ?? byName.get(a.nameKey)) as Had | undefined;
          // a company whose contacts were imported first: the accounts made for it from them (by its CRM id, else
          // its name, whatever domain their e-mails gave them) become this one, their contacts with them
          const made = a.fromContact
            ? []
            : [...new Map([...(a.externalId ? (madeByExternal.all(a.externalId) as Had[]) : []), ...(madeByName.all(a.nameKey) as Had[])].map((m) => [m.id, m])).values()].filter((m) => m.id !== had?.id);
          if (!had && made.length > 0) {
            had = made.shift()!;
            adopt.run(a.domain, a.origin ?? batch.origin, had.id);
            result.joined.push({ id: had.id, name: had.name!, into: had.id, intoName: a.name });
          }
          for (const m of made) {
            moveContacts.run(had!.id, m.id);
            had = { ...had!, aliases: json([...list(had!.aliases), ...list(m.aliases)]), handles: json([...list(had!.handles), ...list(m.handles)]) };
            forget.run(m.id);
            result.joined.push({ id: m.id, name: m.name!, into: had.id, intoName: a.name });
          }
          if (had) {
            update.run(a.name, a.nameKey, a.domain, json([...list(had.aliases), ...a.aliases]), json([...list(had.handles), ...a.handles]), a.externalId, a.externalId, a.origin ?? batch.origin, o.now, had.id);
            ids.set(a.key, had.id);
            result.updated++;
          } else {
            const id = Number(insert.run(a.name, a.nameKey, a.domain, json(a.aliases), json(a.handles), a.externalId, a.origin ?? batch.origin, o.now, o.now).lastInsertRowid);
            ids.set(a.key, id);
            result.added++;
          }
        }
        for (const c of batch.contacts) {
          let accountId = c.accountKey !== null ? ids.get(c.accountKey) : undefined;
          if (accountId === undefined && c.accountExternalId) accountId = byExternal.get(c.accountExternalId) as number | undefined;
          if (accountId === undefined) {
            result.unlinked.push({ line: c.line ?? null, who: c.email ?? c.name ?? 'a contact', companyId: c.accountExternalId ?? '' });
            continue;
          }
          const had = c.email ? (contactByEmail.get(c.email) as number | undefined) : undefined;
          if (had !== undefined) contactUpdate.run(accountId, c.name, json(c.handles), c.externalId, had);
          else contactInsert.run(accountId, c.email, c.name, json(c.handles), c.externalId);
          result.contacts++;
        }
        return result;
      });
      return tx.immediate();
    });
  }

  /** Removes accounts by id, domain or name (any case); returns the ones removed. A name two accounts share is refused. */
  removeAccounts(keys: string[]): { id: number; name: string }[] {
    return this.guard(() => {
      const tx = this.db.transaction(() => {
        const removed: { id: number; name: string }[] = [];
        for (const key of keys) {
          const k = key.trim();
          type Row = { id: number; name: string };
          // a domain as the CRM writes it (www.acme.com, https://acme.com/about); a name in any case, legal form aside
          const domain = registrableDomain(k);
          let rows = /^\d+$/.test(k)
            ? (this.stmt('SELECT id, name FROM accounts WHERE id = ?').all(Number(k)) as Row[])
            : (this.stmt('SELECT id, name FROM accounts WHERE domain = lower(?) OR domain = ?').all(k, domain) as Row[]);
          if (rows.length === 0) rows = this.stmt('SELECT id, name FROM accounts WHERE lower(name) = lower(?)').all(k) as Row[];
          if (rows.length === 0) rows = this.stmt('SELECT id, name FROM accounts WHERE name_key = ?').all(normalizeName(k)) as Row[];
          if (rows.length === 0) throw new UsageError(`accounts remove: no account "${k}"`, { hint: 'name it by id, domain or name, as momentscan accounts list shows them' });
          if (rows.length > 1) throw new UsageError(`accounts remove: ${rows.length} accounts are named "${k}" (ids ${rows.map((r) => r.id).join(', ')})`, { hint: 'name it by id or domain' });
          this.stmt('DELETE FROM accounts WHERE id = ?').run(rows[0]!.id);
          removed.push(rows[0]!);
        }
        return removed;
      });
      return tx.immediate();
    });
  }

  /** The fingerprint of the accounts the stored matches were made with (null: never matched). */
  accountMatchFingerprint(): string | null {
    return this.guard(() => (this.stmt('SELECT fingerprint FROM account_state WHERE id = 1').pluck().get() as string | undefined) ?? null);
  }

  /** Every stored item's matchable fields, in id order, a page at a time. */
  *accountMatchInputs(pageSize = 5000): Generator<MatchableAccountItem[]> {
    const page = this.stmt(
      `SELECT id, title, summary, link, source_domain AS sourceDomain, author, author_email AS authorEmail
       FROM items WHERE id > ? ORDER BY id LIMIT ?`,
    );
    let after = 0;
    for (;;) {
      const rows = this.guard(() => page.all(after, pageSize) as MatchableAccountItem[]);
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** Replaces every item's account matches, and records the fingerprint they were made with, in one transaction. */
  replaceAccountMatches(matches: AccountMatchRow[], fingerprint: string): void {
    this.guard(() => {
      // (SQL that means the same on PostgreSQL: no INSERT OR REPLACE)
      const insert = this.stmt(
        `INSERT INTO item_accounts (item_id, account_id, match_type, confidence) VALUES (?, ?, ?, ?)
         ON CONFLICT (item_id, account_id) DO UPDATE SET match_type = excluded.match_type, confidence = excluded.confidence`,
      );
      const tx = this.db.transaction(() => {
        this.stmt('DELETE FROM item_accounts').run();
        for (const m of matches) insert.run(m.itemId, m.accountId, m.matchType, m.confidence);
        this.stmt('INSERT INTO account_state (id, fingerprint) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint').run(fingerprint);
      });
      tx.immediate();
    });
  }

  /** The accounts each of these items involves, strongest first. */
  itemAccounts(itemIds: readonly number[]): Map<number, ItemAccount[]> {
    return this.guard(() => {
      const out = new Map<number, ItemAccount[]>();
      // (no account linked to any item, as when none are imported: one question instead of one per item)
      if (this.stmt('SELECT 1 FROM item_accounts LIMIT 1').get() === undefined) return out;
      // a page of items at a time, not one question per item (a listing of 77,000 items spent a third of its
      // time asking); the list padded with 0 (no item's id) so that every page is the same statement. The
      // accounts are read by id and each item's put in order here: joined and sorted by
      // SQLite for each page, they were ~4 µs an item, a fifth of `items --csv --all`'s CPU
      // (each account looked up once a call: a listing's page)
      const q = this.stmt(`SELECT item_id, account_id, match_type, confidence FROM item_accounts WHERE item_id IN (${Array(ACCOUNT_PAGE).fill('?').join(',')})`).raw();
      const account = this.stmt('SELECT id, name, domain FROM accounts WHERE id = ?').raw();
      const accounts = new Map<number, [number, string, string | null] | undefined>();
      const ids = [...new Set(itemIds)];
      const found = new Map<number, ItemAccount[]>();
      for (let at = 0; at < ids.length; at += ACCOUNT_PAGE) {
        const page = ids.slice(at, at + ACCOUNT_PAGE);
        while (page.length < ACCOUNT_PAGE) page.push(0);
        for (const [itemId, accountId, matchType, confidence] of q.all(...page) as [number, number, string, number][]) {
          let a = accounts.get(accountId);
          if (a === undefined && !accounts.has(accountId)) accounts.set(accountId, (a = account.get(accountId) as [number, string, string | null] | undefined));
          if (!a) continue;
          const r: ItemAccount = { id: a[0], name: a[1], domain: a[2], matchType, confidence };
          const list = found.get(itemId);
          if (list) list.push(r);
          else found.set(itemId, [r]);
        }
      }
      // strongest first, then by name (byte order, as SQLite and PostgreSQL's "C" compare text), then id
      for (const list of found.values()) if (list.length > 1) list.sort((x, y) => y.confidence - x.confidence || byteOrder(x.name, y.name) || x.id - y.id);
      for (const id of ids) {
        const rows = found.get(id);
        if (rows) out.set(id, rows);
      }
      return out;
    });
  }

  /** The accounts a topic's items in [from, to) involve: most items first, then strongest match, then name. */
  topicAccounts(topicId: number, from: number, to: number): MomentAccount[] {
    return this.guard(
      () =>
        this.stmt(
          `SELECT a.id, a.name, a.domain, count(*) AS items, max(ia.confidence) AS confidence
           FROM item_topics it JOIN item_accounts ia ON ia.item_id = it.item_id JOIN accounts a ON a.id = ia.account_id
           WHERE it.topic_id = ? AND it.published_at >= ? AND it.published_at < ?
           GROUP BY a.id ORDER BY items DESC, confidence DESC, a.name, a.id`,
        ).all(topicId, from, to) as MomentAccount[],
    );
  }
}
