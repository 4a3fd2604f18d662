import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncAccounts } from '../../src/enrich/sync-accounts.js';
import { PgStore } from '../../src/store/pg/store.js';
import { Store, type AccountImport, type Store as StoreApi } from '../../src/store/store.js';
import { freshDatabase } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';

const T = Date.UTC(2026, 10, 20, 12);
const account = (over: Partial<AccountImport['accounts'][number]>): AccountImport['accounts'][number] => ({
  key: over.domain ?? `name:${over.nameKey}`,
  name: 'X',
  nameKey: 'x',
  domain: null,
  aliases: [],
  handles: [],
  externalId: null,
  ...over,
});

const ENGINES: [string, () => StoreApi][] = [
  ['SQLite', () => Store.open(path.join(tempDir(), 'm.db'))],
  ['PostgreSQL', () => PgStore.open(freshDatabase('accounts'))],
];

describe.each(ENGINES)('the accounts store (a real %s database)', (_engine, open) => {
  it('merges by domain (aliases and handles joined), adopts an account stored by name alone, moves contacts by e-mail; --replace starts over', () => {
    const store = open();
    store.importAccounts(
      {
        origin: 'csv-accounts',
        accounts: [
          account({ name: 'Acme', nameKey: 'acme', domain: 'acme.com', aliases: ['ACME Robotics'] }),
          account({ name: 'Globex GmbH', nameKey: 'globex' }),
        ],
        contacts: [],
      },
      { replace: false, now: T },
    );
    const r = store.importAccounts(
      {
        origin: 'hubspot-companies',
        accounts: [
          account({ name: 'Acme Corporation', nameKey: 'acme corporation', domain: 'acme.com', aliases: ['Acme Labs'], handles: ['acmecorp'], externalId: '51' }),
          account({ name: 'Globex', nameKey: 'globex', domain: 'globex.de' }),
        ],
        contacts: [{ accountKey: 'acme.com', accountExternalId: null, email: 'jane@acme.com', name: 'Jane', handles: ['janedoe'], externalId: null }],
      },
      { replace: false, now: T + 1 },
    );
    expect(r).toEqual({ added: 0, updated: 2, contacts: 1, removed: 0, unlinked: [], joined: [] });
    expect(store.accountRecords().map((a) => [a.id, a.name, a.domain, a.aliases, a.handles, a.externalId, a.origin, a.contacts.map((c) => c.email)])).toEqual([
      [1, 'Acme Corporation', 'acme.com', ['ACME Robotics', 'Acme Labs'], ['acmecorp'], '51', 'hubspot-companies', ['jane@acme.com']],
      [2, 'Globex', 'globex.de', [], [], null, 'hubspot-companies', []],
    ]);
    // a contacts file: Jane moves to Globex (by her new e-mail's account), a contact's company never renames an account
    store.importAccounts(
      {
        origin: 'hubspot-contacts',
        accounts: [account({ key: 'globex.de', name: 'Globex Germany', nameKey: 'globex germany', domain: 'globex.de', fromContact: true })],
        contacts: [{ accountKey: 'globex.de', accountExternalId: null, email: 'jane@acme.com', name: null, handles: [], externalId: '88' }],
      },
      { replace: false, now: T + 2 },
    );
    const [acme, globex] = store.accountRecords();
    expect(acme!.contacts).toEqual([]);
    expect(globex!.name).toBe('Globex');
    expect(globex!.contacts).toEqual([{ email: 'jane@acme.com', name: 'Jane', handles: [], externalId: '88' }]);
    const replaced = store.importAccounts({ origin: 'csv-accounts', accounts: [account({ name: 'Initech', nameKey: 'initech', domain: 'initech.co.uk' })], contacts: [] }, { replace: true, now: T + 3 });
    expect(replaced).toEqual({ added: 1, updated: 0, contacts: 0, removed: 2, unlinked: [], joined: [] });
    expect(store.accountRecords().map((a) => a.name)).toEqual(['Initech']);
    store.close();
  });

  it('a company imported after its contacts takes over the accounts they made (by CRM id, else name), with their contacts', () => {
    const store = open();
    store.importAccounts(
      {
        origin: 'hubspot-contacts',
        accounts: [
          account({ key: 'globex-mail.de', name: 'Globex Germany', nameKey: 'globex germany', domain: 'globex-mail.de', externalId: '52', fromContact: true }),
          account({ key: 'globex.io', name: 'Globex', nameKey: 'globex', domain: 'globex.io', fromContact: true }),
        ],
        contacts: [
          { accountKey: 'globex-mail.de', accountExternalId: '52', email: 'rolf@globex-mail.de', name: 'Rolf', handles: [], externalId: '1' },
          { accountKey: 'globex.io', accountExternalId: null, email: 'lu@globex.io', name: 'Lu', handles: [], externalId: '2' },
        ],
      },
      { replace: false, now: T },
    );
    const r = store.importAccounts({ origin: 'hubspot-companies', accounts: [account({ name: 'Globex GmbH', nameKey: 'globex', domain: 'globex.de', externalId: '52' })], contacts: [] }, { replace: false, now: T + 1 });
    expect(r).toMatchObject({ added: 0, updated: 1, joined: [{ id: 1, name: 'Globex Germany', into: 1 }, { id: 2, name: 'Globex', into: 1 }] });
    expect(store.accountRecords().map((a) => [a.id, a.name, a.domain, a.externalId, a.origin, a.contacts.map((c) => c.email)])).toEqual([
      [1, 'Globex GmbH', 'globex.de', '52', 'hubspot-companies', ['rolf@globex-mail.de', 'lu@globex.io']],
    ]);
    store.close();
  });

  it('a contacts file whose companies are new stores its contacts with the accounts it makes', () => {
    const store = open();
    const r = store.importAccounts(
      {
        origin: 'hubspot-contacts',
        accounts: [account({ key: 'globex.de', name: 'Globex', nameKey: 'globex', domain: 'globex.de', fromContact: true })],
        contacts: [{ accountKey: 'globex.de', accountExternalId: null, email: 'rolf@globex.de', name: 'Rolf', handles: [], externalId: '1' }],
      },
      { replace: false, now: T },
    );
    expect([r.added, r.contacts]).toEqual([1, 1]);
    expect(store.accountRecords().map((a) => [a.name, a.contacts.map((c) => c.email)])).toEqual([['Globex', ['rolf@globex.de']]]);
    store.close();
  });

  it("a CRM id and its origin go together: a row without an id (an export's company of another CRM) keeps both; a row with one brings its own", () => {
    const store = open();
    store.importAccounts({ origin: 'salesforce-accounts', accounts: [account({ name: 'Soylent Corp', nameKey: 'soylent', domain: 'soylent.com', externalId: '0015g00000AbCdEAAV' })], contacts: [] }, { replace: false, now: T });
    // export --to hubspot's companies file read back: no Record ID for an account that came from Salesforce
    store.importAccounts({ origin: 'hubspot-companies', accounts: [account({ name: 'Soylent Corp', nameKey: 'soylent', domain: 'soylent.com' })], contacts: [] }, { replace: false, now: T + 1 });
    const idOf = () => store.accountRecords().map((a) => [a.externalId, a.origin]);
    // it was ['0015g00000AbCdEAAV', 'hubspot-companies']: the next export --to hubspot gave HubSpot a Salesforce id as the Record ID
    expect(idOf()).toEqual([['0015g00000AbCdEAAV', 'salesforce-accounts']]);
    store.importAccounts({ origin: 'hubspot-companies', accounts: [account({ name: 'Soylent Corp', nameKey: 'soylent', domain: 'soylent.com', externalId: '777' })], contacts: [] }, { replace: false, now: T + 2 });
    expect(idOf()).toEqual([['777', 'hubspot-companies']]);
    // accounts list --csv read back: each row says its own origin
    store.importAccounts({ origin: 'csv-accounts', accounts: [account({ name: 'Soylent Corp', nameKey: 'soylent', domain: 'soylent.com', externalId: '0015g00000AbCdEAAV', origin: 'salesforce-accounts' })], contacts: [] }, { replace: false, now: T + 3 });
    expect(idOf()).toEqual([['0015g00000AbCdEAAV', 'salesforce-accounts']]);
    store.close();
  });

  it('accounts remove takes a domain as the CRM writes it and a name in any case, legal form aside', () => {
    const store = open();
    store.importAccounts(
      {
        origin: 'csv-accounts',
        accounts: [
          account({ name: 'Acme', nameKey: 'acme', domain: 'acme.com' }),
          account({ name: 'Soylent Corp', nameKey: 'soylent', domain: 'soylent.com' }),
          account({ name: 'Café Société S.A.', nameKey: 'cafe societe', domain: 'cafe-societe.fr' }),
        ],
        contacts: [],
      },
      { replace: false, now: T },
    );
    // each was 'accounts remove: no account "www.acme.com"' (exit 2)
    expect(store.removeAccounts(['www.acme.com'])).toEqual([{ id: 1, name: 'Acme' }]);
    expect(store.removeAccounts(['https://www.soylent.com/about'])).toEqual([{ id: 2, name: 'Soylent Corp' }]);
    expect(store.removeAccounts(['CAFÉ SOCIÉTÉ'])).toEqual([{ id: 3, name: 'Café Société S.A.' }]);
    store.close();
  });

  it('re-matches stored items only when the accounts changed, and a removed account takes its matches with it', () => {
    const store = open();
    const [feed] = store.ensureFeeds(['https://f.example/rss'], T);
    store.saveFetch(
      {
        feedId: feed!.id, startedAt: T, durationMs: 1, status: 'ok', httpStatus: 200, bytes: 1, error: null,
        items: [
          { guid: '1', title: 'Globex opens a plant', summary: '', link: 'https://news.example/1', canonicalUrl: 'https://news.example/1', author: null, source: null, sourceDomain: 'news.example', publishedAt: T - 1000, dateEstimated: false, sentiment: 0, language: 'en', topics: [] },
          { guid: '2', title: 'Quarterly results', summary: '', link: 'https://www.initech.co.uk/q3', canonicalUrl: 'https://www.initech.co.uk/q3', author: null, source: null, sourceDomain: 'initech.co.uk', publishedAt: T - 500, dateEstimated: false, sentiment: 0, language: 'en', topics: [] },
        ],
      },
      new Map(),
    );
    expect(syncAccounts(store).rematched).toBe(0); // no accounts, none ever: nothing recorded
    store.importAccounts({ origin: 'csv-accounts', accounts: [account({ name: 'Globex', nameKey: 'globex', domain: 'globex.de' }), account({ name: 'Initech', nameKey: 'initech', domain: 'initech.co.uk' })], contacts: [] }, { replace: false, now: T });
    expect(syncAccounts(store).rematched).toBe(2);
    expect(syncAccounts(store).rematched).toBe(0);
    expect(store.itemAccounts([1, 2, 3])).toEqual(
      new Map([
        [1, [{ id: 1, name: 'Globex', domain: 'globex.de', matchType: 'name', confidence: 0.6 }]],
        [2, [{ id: 2, name: 'Initech', domain: 'initech.co.uk', matchType: 'domain', confidence: 0.95 }]],
      ]),
    );
    expect(store.removeAccounts(['initech.co.uk'])).toEqual([{ id: 2, name: 'Initech' }]);
    expect(store.itemAccounts([1, 2])).toEqual(new Map([[1, [{ id: 1, name: 'Globex', domain: 'globex.de', matchType: 'name', confidence: 0.6 }]]]));
    expect(store.listAccounts().map((a) => [a.name, a.items, a.lastItemAt])).toEqual([['Globex', 1, T - 1000]]);
    expect(() => store.removeAccounts(['nobody'])).toThrow(/accounts remove: no account "nobody"/);
    store.close();
  });

  it('gives each of many items its own accounts, strongest match first (a listing of hundreds of items asks for them at once)', () => {
    const store = open();
    const [feed] = store.ensureFeeds(['https://f.example/rss'], T);
    // 450 items: every third names Globex, every fifth links to initech.co.uk, some both, the rest neither
    const items = Array.from({ length: 450 }, (_, i) => {
      const n = i + 1;
      const link = n % 5 === 0 ? `https://www.initech.co.uk/${n}` : `https://news.example/${n}`;
      return { guid: String(n), title: n % 3 === 0 ? `Globex news ${n}` : `News ${n}`, summary: '', link, canonicalUrl: link, author: null, source: null, sourceDomain: new URL(link).hostname.replace(/^www\./, ''), publishedAt: T - n * 1000, dateEstimated: false, sentiment: 0, language: 'en', topics: [] };
    });
    store.saveFetch({ feedId: feed!.id, startedAt: T, durationMs: 1, status: 'ok', httpStatus: 200, bytes: 1, error: null, items }, new Map());
    store.importAccounts({ origin: 'csv-accounts', accounts: [account({ name: 'Globex', nameKey: 'globex', domain: 'globex.de' }), account({ name: 'Initech', nameKey: 'initech', domain: 'initech.co.uk' })], contacts: [] }, { replace: false, now: T });
    syncAccounts(store);
    const globex = { id: 1, name: 'Globex', domain: 'globex.de', matchType: 'name', confidence: 0.6 };
    const initech = { id: 2, name: 'Initech', domain: 'initech.co.uk', matchType: 'domain', confidence: 0.95 };
    const asked = [450, 15, 3, 5, 7, ...Array.from({ length: 450 }, (_, i) => i + 1), 9999];
    const expected = new Map<number, object[]>();
    for (const n of new Set(asked)) {
      const own = [...(n <= 450 && n % 5 === 0 ? [initech] : []), ...(n <= 450 && n % 3 === 0 ? [globex] : [])];
      if (own.length) expected.set(n, own);
    }
    const got = store.itemAccounts(asked);
    expect(got).toEqual(expected);
    expect([...got.keys()]).toEqual([...expected.keys()]);
    store.close();
  });

  it("each account's latest item, whichever fetch brought it: one published ahead of an older fetch, one only in the oldest, equal counts of matches", () => {
    const store = open();
    const [feed] = store.ensureFeeds(['https://f.example/rss'], T);
    const D = 86_400_000;
    const news = (guid: string, title: string, publishedAt: number) => ({ guid, title, summary: '', link: `https://news.example/${guid}`, canonicalUrl: `https://news.example/${guid}`, author: null, source: null, sourceDomain: 'news.example', publishedAt, dateEstimated: false, sentiment: 0, language: 'en', topics: [] });
    const fetchAt = (startedAt: number, items: ReturnType<typeof news>[]) => store.saveFetch({ feedId: feed!.id, startedAt, durationMs: 1, status: 'ok', httpStatus: 200, bytes: 1, error: null, items }, new Map());
    store.importAccounts({ origin: 'csv-accounts', accounts: [account({ name: 'Globex', nameKey: 'globex', domain: 'globex.de' }), account({ name: 'Initech', nameKey: 'initech', domain: 'initech.co.uk' }), account({ name: 'Hooli', nameKey: 'hooli', domain: 'hooli.com' }), account({ name: 'Umbrella', nameKey: 'umbrella', domain: 'umbrella.com' })], contacts: [] }, { replace: false, now: T });
    fetchAt(T - 10 * D, [news('a1', 'Globex hires', T - 11 * D), news('a2', 'Initech hires', T - 10.5 * D), news('a3', 'Hooli hires', T - 10.2 * D)]);
    // an item dated a week after the fetch that brought it (the feed's clock): later than anything fetched since
    fetchAt(T - 5 * D, [news('b1', 'Globex grows', T - 6 * D), news('b2', 'Initech and Globex plan', T + 2 * D)]);
    fetchAt(T, [news('c1', 'Globex again', T - D), news('c2', 'Globex and more', T - 2 * D)]);
    syncAccounts(store);
    expect(store.listAccounts().map((a) => [a.name, a.items, a.lastItemAt])).toEqual([
      ['Globex', 5, T + 2 * D],
      ['Initech', 2, T + 2 * D],
      ['Hooli', 1, T - 10.2 * D],
      ['Umbrella', 0, null],
    ]);
    store.close();
  });
});
