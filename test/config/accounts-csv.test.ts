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

  it('a list of companies headed "Company" (no contacts in it) names each account by it, not by its domain', () => {
    const r = parseAccountsCsv('Company,Website\nAcme Robotics,acmerobotics.com\nGlobex,\n', 'companies.csv');
    expect(r.flavour).toBe('csv-accounts');
    expect(r.accounts.map((x) => [x.name, x.domain])).toEqual([
      ['Acme Robotics', 'acmerobotics.com'],
      ['Globex', null],
    ]);
    expect(r.skipped).toEqual([]);
  });

  it("Salesforce Data Loader's contacts: NAME is the person's full name, never a company", () => {
    const text =
      '"ID","ACCOUNTID","LASTNAME","FIRSTNAME","NAME","EMAIL"\n' +
      '"0035g00000XyZ1AAA","0015g00000AbCdGAAV","Belson","Gavin","Gavin Belson","gavin@hooli.xyz"\n' +
      '"0035g00000XyZ2AAA","0015g00000AbCdEAAV","","","Ann Smith","ann.smith@gmail.com"\n';
    const r = parseAccountsCsv(text, 'contacts.csv');
    expect(r.flavour).toBe('salesforce-contacts');
    // it made accounts named "Gavin Belson" and "Ann Smith" (a contact's company)
    expect(r.accounts.map((a) => a.name)).toEqual(['hooli.xyz']);
    expect(r.contacts.map((c) => [c.name, c.email, c.accountKey, c.accountExternalId])).toEqual([
      ['Gavin Belson', 'gavin@hooli.xyz', 'hooli.xyz', '0015g00000AbCdGAAV'],
      ['Ann Smith', 'ann.smith@gmail.com', null, '0015g00000AbCdEAAV'],
    ]);
  });

  it('a Website that is a page on a social network is no domain (a profile there is a handle); the network itself keeps its own', () => {
    const text =
      'Account Name,Website\n' +
      'Acme Bakery,https://www.facebook.com/acmebakery\n' +
      'Globex Plumbing,https://www.linkedin.com/company/globex-plumbing\n' +
      'Initech Cafe,https://twitter.com/initechcafe\n' +
      'Initech Bistro,https://www.facebook.com/initechbistro\n' +
      'LinkedIn,https://www.linkedin.com/\n';
    // it failed: 'line 5: domain facebook.com is already on line 2'; with one such row, the account was facebook.com's
    const r = parseAccountsCsv(text, 'accounts.csv');
    expect(r.accounts.map((a) => [a.name, a.domain, a.handles])).toEqual([
      ['Acme Bakery', null, []],
      ['Globex Plumbing', null, []],
      ['Initech Cafe', null, ['initechcafe']],
      ['Initech Bistro', null, []],
      ['LinkedIn', 'linkedin.com', []],
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

describe("a Salesforce report's footer", () => {
  // Salesforce Classic's report export (CSV) ends, under a blank line, with the organisation's name, its
  // copyright, "Confidential Information - Do Not Distribute" and "Generated By: …" — one cell a line
  const report =
    '"Account Name","Account Owner","Website","Id"\r\n' +
    '"Soylent Corp","Maria Gomez","http://www.soylent.com","0015g00000AbCdEAAV"\r\n' +
    '"Globex Holdings","Luis Ortega","","0015g00000AbCdHAAV"\r\n' +
    '\r\n""\r\n"Globex Holdings"\r\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n' +
    '"Confidential Information - Do Not Distribute"\r\n"Generated By:  Jane Doe  12/7/2026 10:05 AM"\r\n"Globex Holdings"\r\n';

  it('is not read as accounts (it made accounts "Copyright (c) 2000-2026…", "Generated By…", or failed on the org name twice)', () => {
    const r = parseAccountsCsv(report, 'report.csv');
    expect(r.accounts.map((a) => a.name)).toEqual(['Soylent Corp', 'Globex Holdings']);
    expect(r.rows).toBe(2);
    expect(r.skipped).toEqual([{ line: 6, reason: `the report's footer, to line 10 ("Copyright (c) 2000-2026 salesforce.com,"...), not accounts` }]);
  });

  it('one-cell lines at the end of any other file are still rows', () => {
    const r = parseAccountsCsv('Company name,Company Domain Name\nAcme,acme.com\n\nGlobex\nInitech\n', 'x.csv');
    expect(r.accounts.map((a) => a.name)).toEqual(['Acme', 'Globex', 'Initech']);
    expect(r.skipped).toEqual([]);
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
