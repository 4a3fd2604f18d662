import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { openTerminal } from '../helpers/tmux.js';
import { tempDir } from '../helpers/tmp.js';

const SAMPLE = path.join(ROOT, 'fixtures', 'sample');
const ACCOUNTS = path.join(ROOT, 'fixtures', 'accounts');
const AS_OF = '2026-11-20T12:00:00Z';
const FLAVOURS = ['hubspot-companies', 'hubspot-contacts', 'salesforce-accounts', 'salesforce-contacts'];

function cli(home: string, db: string) {
  return (...args: string[]) => runCli(['--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', db, ...args], { home });
}

type Json = Record<string, unknown>;
const json = (text: string) => JSON.parse(text) as Json[];

describe('momentscan accounts', () => {
  it('imports each CRM flavour; items, moments and the digest say which accounts are involved; --accounts keeps those moments', { timeout: 240_000 }, () => {
    const home = tempDir();
    const run = cli(home, path.join(home, 'm.db'));
    expect(run('fetch', '-q').status).toBe(0);
    for (const f of FLAVOURS) {
      const r = run('accounts', 'import', path.join(ACCOUNTS, `${f}.csv`));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`(${f}):`);
      expect(r.stdout).toBe('');
      // the review line says where a name is matched, and does not then say it never is
      if (f === 'hubspot-companies') expect(r.stderr).toContain('accounts: review 5 (HP): "HP": shorter than 4 letters: matched only in capitals with Korean joined to it (HP의, HP가)\n');
    }
    const list = json(run('accounts', 'list', '--json').stdout);
    expect(list.map((a) => [a.name, a.domain, a.contacts])).toEqual([
      ['Acme Corporation, Inc.', 'acme.com', 1],
      ['Globex GmbH', 'globex.de', 1],
      ['Initech B.V.', 'initech.co.uk', 1],
      ['Umbrella Labs', 'umbrella.github.io', 0],
      ['HP', null, 0],
      ['Soylent Corp', 'soylent.com', 0],
      ['Café Société S.A.', 'cafe-societe.fr', 1],
      ['Hooli', 'hooli.xyz', 1],
    ]);
    expect(list.find((a) => a.name === 'HP')!.review).toEqual(['"HP": shorter than 4 letters: matched only in capitals with Korean joined to it (HP의, HP가)']);
    expect(list.find((a) => a.name === 'Acme Corporation, Inc.')!.items as number).toBeGreaterThan(0);
    const table = run('accounts', 'list').stdout;
    expect(table).toMatch(/│ +5 │ HP +│ +│ +0 │ +0 │ "HP": shorter/);

    const status = JSON.parse(run('status', '--json', '--no-smtp-check').stdout) as { accounts: unknown };
    expect(status.accounts).toEqual({ known: 8, withItems: list.filter((a) => (a.items as number) > 0).length, review: 1 });
    expect(run('status', '--no-smtp-check').stdout).toMatch(/\naccounts +8 known, \d+ in stored items, 1 with names to review \(momentscan accounts list\)\n/);

    const items = json(run('items', '--as-of', AS_OF, '--since', '3d', '-t', 'Acme Robotics', '-n', '5', '--json').stdout);
    expect(items).toHaveLength(5);
    for (const it of items) expect(it.accounts).toEqual([{ id: 1, name: 'Acme Corporation, Inc.', domain: 'acme.com', matchType: 'name', confidence: 0.6 }]);
    const northwind = json(run('items', '--as-of', AS_OF, '--since', '3d', '-t', 'Northwind', '-n', '5', '--json').stdout);
    for (const it of northwind) expect(it.accounts).toEqual([]);

    const moments = json(run('moments', '--as-of', AS_OF, '--json').stdout);
    const acme = moments.find((m) => m.topic === 'Acme Robotics')!;
    expect(acme.accounts).toEqual([expect.objectContaining({ id: 1, name: 'Acme Corporation, Inc.', domain: 'acme.com', confidence: 0.6 })]);
    expect(moments.find((m) => m.topic === 'Northwind Airlines')!.accounts).toEqual([]);
    const involved = json(run('moments', '--as-of', AS_OF, '--accounts', '--json').stdout);
    expect(involved.map((m) => m.topic)).toEqual(['Acme Robotics']);

    const digest = run('digest', '--as-of', AS_OF, '--since', '3d');
    expect(digest.status).toBe(0);
    expect(digest.stdout).toMatch(/\n {3}accounts: +Acme Corporation, Inc\. \(acme\.com\): \d+ items\n/);
    const md = run('digest', '--as-of', AS_OF, '--since', '3d', '--format', 'markdown').stdout;
    expect(md).toMatch(/accounts.*Acme Corporation, Inc\./);
  });

  it('matches at ingest and on import agree: the same accounts on the same items, whichever came first', { timeout: 240_000 }, () => {
    const home = tempDir();
    const first = cli(home, path.join(home, 'a.db'));
    const second = cli(home, path.join(home, 'b.db'));
    // a: accounts first, then the fetch matches in its parse stage; b: fetch first, the import matches the stored items
    for (const f of FLAVOURS) expect(first('accounts', 'import', '-q', path.join(ACCOUNTS, `${f}.csv`)).status).toBe(0);
    expect(first('fetch', '-q').status).toBe(0);
    expect(second('fetch', '-q').status).toBe(0);
    for (const f of FLAVOURS) expect(second('accounts', 'import', '-q', path.join(ACCOUNTS, `${f}.csv`)).status).toBe(0);
    const args = ['items', '--as-of', AS_OF, '--since', '60d', '--all', '--json', '--fields', 'title,link,accounts'];
    const a = first(...args).stdout;
    const b = second(...args).stdout;
    expect(json(a).filter((it) => (it.accounts as unknown[]).length > 0).length).toBeGreaterThan(10);
    expect(b).toBe(a);
    // forgetting an account takes its matches with it
    expect(second('accounts', 'remove', 'acme.com').status).toBe(0);
    expect(json(second(...args).stdout).some((it) => (it.accounts as Json[]).some((x) => x.domain === 'acme.com'))).toBe(false);
    const gone = second('accounts', 'remove', 'acme.com');
    expect(gone.status).toBe(2);
    expect(gone.stderr).toBe('momentscan: error: accounts remove: no account "acme.com" — name it by id, domain or name, as momentscan accounts list shows them\n');
  });

  it('import --json and status --json start with schemaVersion, as every JSON record does', () => {
    const home = tempDir();
    const run = cli(home, path.join(home, 'm.db'));
    const r = run('accounts', 'import', '-q', '--json', path.join(ACCOUNTS, 'hubspot-companies.csv'));
    expect(r.status, r.stderr).toBe(0);
    expect(Object.entries(JSON.parse(r.stdout) as Json)[0]).toEqual(['schemaVersion', 1]);
    const status = run('status', '--json', '--no-smtp-check');
    expect(status.status, status.stderr).toBe(0);
    expect(Object.entries(JSON.parse(status.stdout) as Json)[0]).toEqual(['schemaVersion', 1]);
  });

  it('a bad CSV is one line naming the file and line, exit 2, and nothing of it is imported', () => {
    const home = tempDir();
    const run = cli(home, path.join(home, 'm.db'));
    expect(run('accounts', 'import', '-q', path.join(ACCOUNTS, 'hubspot-companies.csv')).status).toBe(0);
    const bad = path.join(home, 'dupes.csv');
    writeFileSync(bad, 'Company name,Company Domain Name\nNew Co,newco.example\nAcme,acme.com\nAcme again,www.acme.com\n');
    const before = run('accounts', 'list', '--json').stdout;
    const r = run('accounts', 'import', bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`momentscan: error: ${bad}: line 4: domain acme.com is already on line 3 — one row per company: merge the duplicates in the CRM or the file\n`);
    expect(run('accounts', 'list', '--json').stdout).toBe(before);
    const unknown = path.join(home, 'unknown.csv');
    writeFileSync(unknown, 'Foo;Bar\n1;2\n');
    const u = run('accounts', 'import', unknown);
    expect(u.status).toBe(2);
    expect(u.stderr.trim().split('\n')).toHaveLength(1);
    expect(u.stderr).toMatch(/unknown\.csv: line 1: no column momentscan knows \("Foo", "Bar"\) — .*--map COLUMN=FIELD/);
    // a folder given for the file: said so, with what to give instead
    const folder = run('accounts', 'import', home);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toBe(`momentscan: error: ${home}: is a folder, not a file — give the path of a CSV file of companies or contacts\n`);
    // --map makes it readable; --replace starts over
    const mapped = run('accounts', 'import', unknown, '--map', 'Foo=name', '--map', 'Bar=-', '--replace', '--json');
    expect(mapped.status, mapped.stderr).toBe(0);
    expect(JSON.parse(mapped.stdout)).toMatchObject({ flavour: 'csv-accounts', added: 1, removed: 5, accounts: 1 });
    // one row, one account: said in the singular (it read "1 rows; 1 accounts added ... 1 accounts in all")
    expect(mapped.stderr.split('\n')[0]).toBe(`accounts: ${unknown} (csv-accounts): 1 row; 1 account added, 0 updated, 5 removed first (--replace), 0 contacts; 1 account in all`);
  });

  it('export --to hubspot|salesforce writes import-ready files; the companies file imports again with the same keys', { timeout: 240_000 }, async () => {
    const home = tempDir();
    const db = path.join(home, 'm.db');
    const run = cli(home, db);
    expect(run('fetch', '-q').status).toBe(0);
    for (const f of FLAVOURS) expect(run('accounts', 'import', '-q', path.join(ACCOUNTS, `${f}.csv`)).status).toBe(0);
    const out = path.join(home, 'out');
    const h = run('export', '--to', 'hubspot', '--out', out, '--as-of', AS_OF);
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toBe('');
    expect(h.stderr).toMatch(/^export: 1 note on 1 moment involving known accounts → .*hubspot-notes\.csv, .*hubspot-companies\.csv\n$/);
    await expect(readFileSync(path.join(out, 'hubspot-notes.csv'), 'utf8')).toMatchFileSnapshot('../golden/export/hubspot-notes.csv');
    await expect(readFileSync(path.join(out, 'hubspot-companies.csv'), 'utf8')).toMatchFileSnapshot('../golden/export/hubspot-companies.csv');
    const s = run('export', '--to', 'salesforce', '--out', out, '--as-of', AS_OF);
    expect(s.status, s.stderr).toBe(0);
    await expect(readFileSync(path.join(out, 'salesforce-notes.csv'), 'utf8')).toMatchFileSnapshot('../golden/export/salesforce-notes.csv');
    // the same export twice is the same bytes (the CRM upserts on the ids)
    const again = readFileSync(path.join(out, 'hubspot-notes.csv'), 'utf8');
    run('export', '--to', 'hubspot', '--out', out, '--as-of', AS_OF);
    expect(readFileSync(path.join(out, 'hubspot-notes.csv'), 'utf8')).toBe(again);
    // round trip: the companies file is a HubSpot companies export to momentscan
    const fresh = cli(home, path.join(home, 'fresh.db'));
    const r = fresh('accounts', 'import', path.join(out, 'hubspot-companies.csv'), '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ flavour: 'hubspot-companies', added: 1 });
    expect(json(fresh('accounts', 'list', '--json').stdout).map((a) => [a.name, a.domain, a.externalId])).toEqual([['Acme Corporation, Inc.', 'acme.com', '5173201001']]);
    // a moment labelled noise reaches no CRM (it wrote the note all the same), and the count says why
    const acme = json(run('moments', '--as-of', AS_OF, '--json').stdout).find((m) => m.topic === 'Acme Robotics')!;
    expect(run('label', '-q', String(acme.id), 'noise').status).toBe(0);
    const quiet = path.join(home, 'noise');
    const n = run('export', '--to', 'hubspot', '--out', quiet, '--as-of', AS_OF);
    expect(n.status, n.stderr).toBe(0);
    expect(n.stderr).toMatch(/^export: 0 notes on 0 moments involving known accounts \(1 labelled noise left out\) → /);
    expect(readFileSync(path.join(quiet, 'hubspot-notes.csv'), 'utf8')).toBe(again.split('\r\n')[0] + '\r\n');
    // the note exported before the label is named to delete from the CRM (it stayed there, and nothing said so)
    const noteId = again.split('\r\n')[1]!.split(',')[0]!;
    expect(noteId).toMatch(/^momentscan-[0-9a-f]{24}$/);
    expect(n.stderr).toContain(`export: 1 note of a moment labelled noise may be in the CRM from an export before the label: delete it there (an import cannot) — its id is in ${path.join(quiet, 'hubspot-withdraw.csv')}\n`);
    expect(readFileSync(path.join(quiet, 'hubspot-withdraw.csv'), 'utf8').split('\r\n').map((l) => l.split(',')[0])).toEqual(['Momentscan ID', noteId, '']);
    const sfNotes = readFileSync(path.join(out, 'salesforce-notes.csv'), 'utf8').split('\r\n')[1]!.split(',')[0]!;
    const sq = run('export', '--to', 'salesforce', '--out', quiet, '--as-of', AS_OF, '-q');
    expect(sq.status).toBe(0);
    expect(sq.stderr).toContain('salesforce-withdraw.csv');
    expect(readFileSync(path.join(quiet, 'salesforce-notes.csv'), 'utf8').trimEnd().split('\r\n')).toHaveLength(1);
    expect(readFileSync(path.join(quiet, 'salesforce-withdraw.csv'), 'utf8').split('\r\n').map((l) => l.split(',')[0])).toEqual(['External Id', sfNotes, '']);
    const bad = run('export', '--to', 'pipedrive');
    expect(bad.status).toBe(2);
    // --out naming a file: a usage error before any work, and the file is left alone (it was 'cannot write to … (EEXIST)', exit 1)
    const file = path.join(home, 'notes.txt');
    writeFileSync(file, 'mine\n');
    const onFile = run('export', '--to', 'hubspot', '--out', file, '--as-of', AS_OF);
    expect(onFile.status).toBe(2);
    expect(onFile.stderr).toBe(`momentscan: error: export: --out ${file}: is a file, not a folder — give the folder to write the CSV files into (it is made if missing)\n`);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
  });

  it("round trips: export's companies file and accounts list --csv read back keep every field, '=Northwind' without the CSV guard's apostrophe", { timeout: 240_000 }, () => {
    const home = tempDir();
    const run = cli(home, path.join(home, 'm.db'));
    expect(run('fetch', '-q').status).toBe(0);
    for (const f of FLAVOURS) expect(run('accounts', 'import', '-q', path.join(ACCOUNTS, `${f}.csv`)).status).toBe(0);
    const hostile = path.join(home, 'hostile.csv');
    writeFileSync(hostile, 'Record ID,Company name,Company Domain Name,Aliases,Twitter Handle\n11,=Northwind,northwind.example,"+NW Air|-Northwind Air",@nwair\n12,@Handle Inc,handle.example,,\n');
    expect(run('accounts', 'import', '-q', hostile).status).toBe(0);
    const fields = (a: Json) => [a.name, a.domain, a.aliases, a.handles, a.externalId, a.origin];
    const before = json(run('accounts', 'list', '--json').stdout);
    expect(before.slice(-2).map(fields)).toEqual([
      ['=Northwind', 'northwind.example', ['+NW Air', '-Northwind Air'], ['nwair'], '11', 'hubspot-companies'],
      ['@Handle Inc', 'handle.example', [], [], '12', 'hubspot-companies'],
    ]);
    // the export guards the cells ("'=Northwind"); read back, the name is the account's again (it kept the "'")
    const out = path.join(home, 'out');
    expect(run('export', '--to', 'hubspot', '--out', out, '--as-of', AS_OF).status).toBe(0);
    expect(readFileSync(path.join(out, 'hubspot-companies.csv'), 'utf8')).toContain("\r\n11,'=Northwind,northwind.example\r\n");
    const fresh = cli(home, path.join(home, 'fresh.db'));
    expect(fresh('accounts', 'import', '-q', path.join(out, 'hubspot-companies.csv')).status).toBe(0);
    expect(json(fresh('accounts', 'list', '--json').stdout).map(fields)).toEqual([
      ['Acme Corporation, Inc.', 'acme.com', [], [], '5173201001', 'hubspot-companies'],
      ['=Northwind', 'northwind.example', [], [], '11', 'hubspot-companies'],
    ]);
    // accounts list --csv read back: the CRM's ids stay the CRM's (momentscan's own id column became them), origins kept
    const listed = path.join(home, 'listed.csv');
    writeFileSync(listed, run('accounts', 'list', '--csv').stdout);
    const again = run('accounts', 'import', listed, '--replace');
    expect(again.status, again.stderr).toBe(0);
    expect(json(run('accounts', 'list', '--json').stdout).map(fields)).toEqual(before.map(fields));
  });

  it("a contact joins the account its CRM links it to by id, whatever its e-mail's domain or the company's spelling", () => {
    const home = tempDir();
    const run = cli(home, path.join(home, 'm.db'));
    expect(run('accounts', 'import', '-q', path.join(ACCOUNTS, 'hubspot-companies.csv')).status).toBe(0);
    const contacts = path.join(home, 'contacts.csv');
    writeFileSync(
      contacts,
      'Record ID,First Name,Last Name,Email,Associated Company,Primary Associated Company ID\n' +
        '1,Jane,Doe,jane@acmerobotics-mail.com,,5173201001\n' +
        '2,Ann,Lee,ann@initech.example,Initech Consulting,5173201003\n',
    );
    const r = run('accounts', 'import', contacts, '--json');
    expect(r.status, r.stderr).toBe(0);
    // it made two accounts more, 'acmerobotics-mail.com' and 'Initech Consulting', each with its one contact
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 0, contacts: 2, accounts: 5 });
    const list = json(run('accounts', 'list', '--json').stdout);
    expect(list.map((a) => [a.name, a.contacts])).toEqual([
      ['Acme Corporation, Inc.', 1],
      ['Globex GmbH', 0],
      ['Initech B.V.', 1],
      ['Umbrella Labs', 0],
      ['HP', 0],
    ]);
    // a contact linked by the id of a company not imported is not stored, and said so (it went without a word)
    const orphan = path.join(home, 'orphan.csv');
    writeFileSync(orphan, 'Record ID,First Name,Email,Primary Associated Company ID\n3,Tom,tom.lee@hotmail.com,999\n');
    const o = run('accounts', 'import', orphan, '--json');
    expect(o.status, o.stderr).toBe(0);
    expect(JSON.parse(o.stdout)).toMatchObject({ contacts: 0, skipped: [{ line: 2, reason: 'tom.lee@hotmail.com: its company (CRM id 999) is not among the accounts — import the companies first' }] });
    expect(o.stderr).toContain('accounts: line 2 skipped: tom.lee@hotmail.com: its company (CRM id 999) is not among the accounts — import the companies first\n');
  });

  it('contacts imported before their companies end as they would after them: no second account, and stderr says which joined', () => {
    const home = tempDir();
    const contacts = path.join(home, 'contacts.csv');
    // e-mails at other domains than the companies' sites, one company named otherwise, one linked by name only
    writeFileSync(
      contacts,
      'Record ID,First Name,Last Name,Email,Associated Company,Primary Associated Company ID\n' +
        '1,Rolf,Bauer,rolf.bauer@globex-mail.de,Globex GmbH,5173201002\n' +
        '2,Mia,Wu,mia@acme-corp.com,Acme Corp,\n' +
        '3,Lu,Ko,lu@umbrella-labs.com,Umbrella Labs,\n',
    );
    const more = path.join(home, 'more.csv');
    writeFileSync(more, 'Record ID,First Name,Last Name,Email,Associated Company,Primary Associated Company ID\n4,Ida,Berg,ida@acme-rd.com,Acme Robotics Division,5173201001\n');
    const companies = path.join(ACCOUNTS, 'hubspot-companies.csv');
    const fields = (a: Json) => [a.name, a.domain, a.externalId, a.origin, a.contacts, a.review];
    const listOf = (run: ReturnType<typeof cli>) => json(run('accounts', 'list', '--json').stdout).map(fields).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    const first = cli(home, path.join(home, 'companies-first.db'));
    for (const f of [companies, contacts, more]) expect(first('accounts', 'import', '-q', f).status).toBe(0);
    const later = cli(home, path.join(home, 'contacts-first.db'));
    for (const f of [contacts, more]) expect(later('accounts', 'import', '-q', f).status).toBe(0);
    const r = later('accounts', 'import', companies, '--json');
    expect(r.status, r.stderr).toBe(0);
    // the accounts made from the contacts became the companies' (Acme's two: one by its CRM id, one by its name);
    // they stayed beside them, named alike (so never matched by name), or under the contact's spelling
    expect(JSON.parse(r.stdout)).toMatchObject({
      added: 2,
      updated: 3,
      accounts: 5,
      joined: [
        { id: 4, name: 'Acme Robotics Division', into: 4 },
        { id: 2, name: 'Acme Corp', into: 4 },
        { id: 1, name: 'Globex GmbH', into: 1 },
        { id: 3, name: 'Umbrella Labs', into: 3 },
      ],
    });
    expect(r.stderr).toContain(
      'accounts: "Acme Robotics Division", made from contacts imported before their company, is now account 4 "Acme Corporation, Inc."\n' +
        'accounts: "Acme Corp", made from contacts imported before their company, joined account 4 "Acme Corporation, Inc." (account 2 is gone, its contacts moved)\n',
    );
    expect(listOf(later)).toEqual(listOf(first));
    expect(listOf(later).map((a) => [a[0], a[1], a[4]])).toEqual([
      ['Acme Corporation, Inc.', 'acme.com', 2],
      ['Globex GmbH', 'globex.de', 1],
      ['HP', null, 0],
      ['Initech B.V.', 'initech.co.uk', 0],
      ['Umbrella Labs', 'umbrella.github.io', 1],
    ]);
  });

  it('matches in the parse workers too (a fetch of enough feeds to use them), the same as a re-match of the stored items', { timeout: 240_000 }, () => {
    const home = tempDir();
    const feeds = path.join(home, 'feeds');
    mkdirSync(feeds);
    const urls: string[] = [];
    // 30 feeds: past the 24 from which parsing runs in worker threads
    for (let f = 0; f < 30; f++) {
      const items = [
        { title: `Quarterly note ${f}`, link: `https://press.acme.com/notes/${f}`, author: null },
        { title: `Globex hires a new CFO (${f})`, link: `https://news${f}.example/globex-${f}`, author: null },
        { title: `Post ${f} from the fediverse`, link: `https://mastodon.social/@priya/${1000 + f}`, author: null },
        { title: `Reader mail ${f}`, link: `https://mail${f}.example/r`, author: `jane.doe@acme.com (Jane Doe)` },
        { title: `an apple a day, recipe ${f}`, link: `https://recipes${f}.example/apple`, author: `someone${f}@gmail.com (Cook)` },
      ];
      const body = items
        .map((it, i) => `<item><title>${it.title}</title><link>${it.link}</link><guid>f${f}-${i}</guid><pubDate>Thu, 19 Nov 2026 ${String(10 + i).padStart(2, '0')}:00:00 GMT</pubDate>${it.author ? `<author>${it.author}</author>` : ''}</item>`)
        .join('');
      const file = path.join(feeds, `f${f}.xml`);
      writeFileSync(file, `<?xml version="1.0"?><rss version="2.0"><channel><title>F${f}</title><link>https://f${f}.example/</link>${body}</channel></rss>`);
      urls.push(`feeds/f${f}.xml`);
    }
    const config = path.join(home, 'm.yaml');
    writeFileSync(config, `topics:\n  - name: All\n    feeds: [${urls.join(', ')}]\n`);
    const run = (db: string, ...args: string[]) => runCli(['--config', config, '--db', path.join(home, db), ...args], { home });
    for (const f of FLAVOURS) expect(run('a.db', 'accounts', 'import', '-q', path.join(ACCOUNTS, `${f}.csv`)).status).toBe(0);
    expect(run('a.db', 'fetch', '-q').status).toBe(0);
    expect(run('b.db', 'fetch', '-q').status).toBe(0);
    for (const f of FLAVOURS) expect(run('b.db', 'accounts', 'import', '-q', path.join(ACCOUNTS, `${f}.csv`)).status).toBe(0);
    const args = ['items', '--as-of', AS_OF, '--since', '7d', '--all', '--json', '--fields', 'title,accounts'];
    const a = json(run('a.db', ...args).stdout);
    expect(a).toHaveLength(150);
    const how = (title: string) => (a.find((it) => it.title === title)!.accounts as Json[]).map((x) => [x.name, x.matchType, x.confidence]);
    expect(how('Quarterly note 7')).toEqual([['Acme Corporation, Inc.', 'domain', 0.95]]);
    expect(how('Globex hires a new CFO (7)')).toEqual([['Globex GmbH', 'name', 0.6]]);
    expect(how('Post 7 from the fediverse')).toEqual([['Initech B.V.', 'handle', 0.9]]);
    expect(how('Reader mail 7')).toEqual([['Acme Corporation, Inc.', 'email', 1]]);
    expect(how('an apple a day, recipe 7')).toEqual([]);
    // (items of equal time are listed in the order they were stored, which the fetch's concurrency decides)
    const byTitle = (rows: Json[]) => Object.fromEntries(rows.map((it) => [it.title, it.accounts]));
    expect(byTitle(json(run('b.db', ...args).stdout))).toEqual(byTitle(a));
  });

  it('moments at 80 columns: [planned] and the account go below the headline, which keeps its room (it had none left)', { timeout: 240_000 }, async () => {
    const home = tempDir();
    const db = path.join(home, 'm.db');
    const run = cli(home, db);
    expect(run('fetch', '-q').status).toBe(0);
    expect(run('accounts', 'import', '-q', path.join(ACCOUNTS, 'hubspot-companies.csv')).status).toBe(0);
    expect(run('events', 'add', 'acme', '--from', '2026-11-18T09:00:00Z', '--to', '2026-11-18T11:00:00Z', '--lag', '2h', '--note', 'Glide launch').status).toBe(0);
    const acme = json(run('moments', '--as-of', AS_OF, '--json').stdout).find((m) => m.topic === 'Acme Robotics')!;
    expect(acme).toMatchObject({ planned: true, accounts: [expect.objectContaining({ name: 'Acme Corporation, Inc.' })] });
    const title = (acme.examples as Json[])[0]!.title as string;
    const lead = title.slice(0, 21);

    // a terminal 80 columns wide: the headline's first 21 characters and a cut, the labels on the line below
    const term = openTerminal({ width: 80, height: 30, home, cwd: ROOT, env: { NO_COLOR: '1' } });
    term.run(`${process.execPath} ${BIN} --config ${path.join(SAMPLE, 'momentscan.yaml')} --db ${db} moments --as-of ${AS_OF}; echo "rc=$?"`);
    const screen = await term.waitFor((s) => /rc=\d+/.test(s), 'the moments table');
    const rows = screen.split('\n').filter((l) => l.startsWith('│ '));
    const at = rows.findIndex((l) => l.includes('Acme Robotics'));
    expect(rows[at]).toContain(`│ ${lead}`);
    expect(rows[at + 1]).toMatch(/^│ +│ +│ +│ +│ +│ \[planned\] \[Acme Corpor[^│]*\] +│$/);
    for (const l of rows) expect([...l].length).toBe(80);

    // piped (100 columns): the same
    const piped = run('moments', '--as-of', AS_OF).stdout.split('\n').filter((l) => l.startsWith('│ '));
    const p = piped.findIndex((l) => l.includes('Acme Robotics'));
    expect(piped[p]).toContain(`│ ${lead}`);
    expect(piped[p + 1]).toMatch(/│ \[planned\] \[Acme Corpor[^│]*\] +│$/);
  });
});
