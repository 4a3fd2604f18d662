import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAccountsCsv, parseColumnMap, readAccountsCsv } from '../../src/config/accounts-csv.js';
import { InputError, UsageError } from '../../src/core/errors.js';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const fixture = (name: string) => path.join(ROOT, 'fixtures', 'accounts', name);

describe('reading CRM exports, recognised by their header', () => {
  it('HubSpot companies: name, domain from a website, handle, Record ID', () => {
    const r = readAccountsCsv(fixture('hubspot-companies.csv'));
    expect(r.flavour).toBe('hubspot-companies');
    expect(r.rows).toBe(5);
    expect(r.accounts.map((a) => [a.name, a.domain, a.externalId])).toEqual([
      ['Acme Corporation, Inc.', 'acme.com', '5173201001'],
      ['Globex GmbH', 'globex.de', '5173201002'],
      ['Initech B.V.', 'initech.co.uk', '5173201003'],
      ['Umbrella Labs', 'umbrella.github.io', '5173201004'],
      ['HP', null, '5173201005'],
    ]);
    expect(r.accounts[0]!.handles).toEqual(['acmecorp']);
    expect(r.accounts[0]!.nameKey).toBe('acme');
    expect(r.contacts).toEqual([]);
  });

  it('HubSpot contacts (with a BOM): linked to their company by domain or name; free mail without a company is skipped', () => {
    const r = readAccountsCsv(fixture('hubspot-contacts.csv'));
    expect(r.flavour).toBe('hubspot-contacts');
    expect(r.contacts.map((c) => [c.email, c.name, c.accountKey, c.accountExternalId, c.handles])).toEqual([
      ['jane.doe@acme.com', 'Jane Doe', 'acme.com', '5173201001', ['janedoe']],
      ['rolf.bauer@globex.de', 'Rolf Bauer', 'globex.de', '5173201002', []],
      // a gmail address: the company is the contact's, by name
      ['priya.nair77@gmail.com', 'Priya Nair', 'name:initech', '5173201003', ['priya@mastodon.social']],
    ]);
    expect(r.accounts.every((a) => a.fromContact)).toBe(true);
    expect(r.skipped).toEqual([{ line: 5, reason: 'tom.lee@hotmail.com: no company, and a free mail address' }]);
  });

  it('Salesforce accounts and contacts', () => {
    const a = readAccountsCsv(fixture('salesforce-accounts.csv'));
    expect(a.flavour).toBe('salesforce-accounts');
    expect(a.accounts.map((x) => [x.name, x.domain, x.externalId])).toEqual([
      ['Soylent Corp', 'soylent.com', '0015g00000AbCdEAAV'],
      ['Café Société S.A.', 'cafe-societe.fr', '0015g00000AbCdFAAV'],
      ['Hooli', 'hooli.xyz', '0015g00000AbCdGAAV'],
    ]);
    const c = readAccountsCsv(fixture('salesforce-contacts.csv'));
    expect(c.flavour).toBe('salesforce-contacts');
    expect(c.contacts.map((x) => [x.email, x.name, x.accountKey, x.accountExternalId])).toEqual([
      ['gavin@hooli.xyz', 'Gavin Belson', 'hooli.xyz', '0015g00000AbCdGAAV'],
      ['elodie.martin@cafe-societe.fr', 'Élodie Martin', 'cafe-societe.fr', '0015g00000AbCdFAAV'],
    ]);
  });

  it('--map names columns no export uses; semicolons (Excel in much of Europe) and quoted line breaks are read', () => {
    const text = 'Firma;Webseite;Spitznamen\r\n"Initech\nB.V.";initech.nl;"Initech NL|Inny"\r\n';
    const r = parseAccountsCsv(text, 'firms.csv', parseColumnMap(['Firma=name', 'Webseite=domain', 'Spitznamen=aliases']));
    expect(r.accounts).toEqual([{ key: 'initech.nl', name: 'Initech B.V.', nameKey: 'initech', domain: 'initech.nl', aliases: ['Initech NL', 'Inny'], handles: [], externalId: null }]);
    expect(() => parseColumnMap(['Firma=nickname'])).toThrow(UsageError);
    expect(() => parseAccountsCsv(text, 'firms.csv', parseColumnMap(['Nope=name']))).toThrow(/--map: firms.csv has no column "Nope"/);
  });
});

describe('bad CSV: one error naming the file and line, nothing read', () => {
  it.each([
    ['no known column', 'Foo,Bar\n1,2\n', /^x\.csv: line 1: no column momentscan knows \("Foo", "Bar"\)$/],
    ['a duplicate domain', 'Company name,Company Domain Name\nAcme,acme.com\nAcme Corp,https://www.acme.com/\n', /^x\.csv: line 3: domain acme\.com is already on line 2$/],
    ['a duplicate e-mail', 'Email,First Name\na@acme.com,A\nA@Acme.com,B\n', /^x\.csv: line 3: e-mail a@acme\.com is already on line 2$/],
    ['a website that is no domain', 'Account Name,Website\nAcme,n/a\n', /^x\.csv: line 2: "n\/a" is not a web address or domain$/],
    ['an unclosed quote', 'Company name,Company Domain Name\nAcme,acme.com\n"Globex,globex.de\n', /^x\.csv: line 3: a quoted field is never closed$/],
    ['too many fields', 'Company name,Company Domain Name\nAcme,acme.com,extra\n', /^x\.csv: line 2: 3 fields, but the header has 2$/],
    ['a header alone', 'Company name,Company Domain Name\n', /^x\.csv: only a header line, no accounts$/],
    ['nothing', '', /^x\.csv: empty file$/],
  ])('%s', (_what, text, message) => {
    let err: unknown;
    try {
      parseAccountsCsv(text, 'x.csv');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(message);
    expect((err as InputError).exitCode).toBe(2);
  });

  it('a file over 64 MB is refused before it is read; so is one not in UTF-8', () => {
    const dir = tempDir();
    const big = path.join(dir, 'big.csv');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 1024 ** 3); // 1 GB, sparse
    closeSync(fd);
    expect(() => readAccountsCsv(big)).toThrow(/big\.csv: 1024 MB is too big for a list of accounts \(at most 64 MB\)/);
    const latin1 = path.join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('Company name\nCaf\xe9 Soci\xe9t\xe9\n', 'latin1'));
    expect(() => readAccountsCsv(latin1)).toThrow(/latin1\.csv: not UTF-8 text/);
    expect(() => readAccountsCsv(path.join(dir, 'missing.csv'))).toThrow(/missing\.csv: cannot read it \(ENOENT\)/);
  });
});
