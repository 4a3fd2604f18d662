/**
 * Reading the CSV exports people already have of their CRM: HubSpot companies and contacts, Salesforce
 * accounts and contacts (a report's or Data Loader's), or any CSV with `--map COLUMN=FIELD`. Columns are
 * recognised by their header. The whole file is read and checked before anything is stored: a problem is
 * an InputError naming the file and line, and nothing is imported.
 */
import { readFileSync, statSync } from 'node:fs';
import { csvDelimiter, splitCsvRecord } from '../core/csv.js';
import { emailIn, isWebmail, normalizeHandle, registrableDomain } from '../core/domain.js';
import { InputError, UsageError } from '../core/errors.js';
import { normalizeName as normalizeNameKey } from '../core/names.js';
import { stripControl } from '../core/text.js';
import type { AccountImport } from '../core/types.js';

/** The fields a column can fill. */
export const ACCOUNT_FIELDS = ['name', 'domain', 'aliases', 'handle', 'id', 'email', 'firstName', 'lastName', 'company', 'companyId'] as const;
export type AccountField = (typeof ACCOUNT_FIELDS)[number];

/** A CRM export bigger than this is not a list of accounts (a whole CRM's companies fit in a few MB). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

/** Headers as HubSpot and Salesforce write them, lower case with only letters and digits kept. */
const HEADERS: Record<string, AccountField> = {
  companyname: 'name',
  accountname: 'name',
  name: 'name',
  organization: 'name',
  organisation: 'name',
  companydomainname: 'domain',
  domain: 'domain',
  domainname: 'domain',
  website: 'domain',
  websiteurl: 'domain',
  companywebsite: 'domain',
  aliases: 'aliases',
  alias: 'aliases',
  alsoknownas: 'aliases',
  twitterhandle: 'handle',
  twitterusername: 'handle',
  twitter: 'handle',
  mastodon: 'handle',
  mastodonhandle: 'handle',
  bluesky: 'handle',
  blueskyhandle: 'handle',
  socialhandle: 'handle',
  socialhandles: 'handle',
  handle: 'handle',
  handles: 'handle',
  recordid: 'id',
  id: 'id',
  email: 'email',
  emailaddress: 'email',
  workemail: 'email',
  firstname: 'firstName',
  lastname: 'lastName',
  associatedcompany: 'company',
  company: 'company',
  accountid: 'companyId',
  associatedcompanyid: 'companyId',
  primaryassociatedcompanyid: 'companyId',
  companyid: 'companyId',
  contactid: 'id',
  // momentscan's own `accounts list --csv` (its `id` column is momentscan's, not the CRM's: see below)
  externalid: 'id',
};

/**
 * Sites on which a company has a page but that are no company's domain: a CRM's Website that is a Facebook or
 * LinkedIn page (small companies often have no other) would give every item linking there to the account, and
 * two such companies the "same domain".
 */
const PLATFORMS = new Set(
  (
    'facebook.com fb.com linkedin.com twitter.com x.com instagram.com threads.net youtube.com youtu.be tiktok.com ' +
    'pinterest.com reddit.com t.me wa.me linktr.ee yelp.com google.com goo.gl bit.ly medium.com substack.com ' +
    'github.com gitlab.com bsky.app xing.com vk.com weibo.com'
  ).split(' '),
);

/** The CSV flavours momentscan records as an account's origin (`accounts list`'s `origin` column). */
const ORIGIN = /^(hubspot|salesforce|csv)-(companies|accounts|contacts)$/;

const headerKey = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');

/** `--map` flags: a column's header key → the field it fills (null: ignored) and the column as typed. */
export type ColumnMap = Map<string, { field: AccountField | null; column: string }>;

/** Parses `--map col=field` flags. */
export function parseColumnMap(specs: readonly string[]): ColumnMap {
  const out: ColumnMap = new Map();
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    const col = eq > 0 ? spec.slice(0, eq).trim() : '';
    const field = eq > 0 ? spec.slice(eq + 1).trim() : '';
    const known = ACCOUNT_FIELDS.find((f) => f.toLowerCase() === field.toLowerCase());
    if (!col || (!known && field !== '-')) {
      throw new UsageError(`--map: expected COLUMN=FIELD with FIELD one of ${ACCOUNT_FIELDS.join(', ')} (or - to ignore the column), got "${spec}"`);
    }
    out.set(headerKey(col), { field: known ?? null, column: col });
  }
  return out;
}

export interface ReadAccountsResult extends AccountImport {
  /** What the file was recognised as: hubspot-companies, salesforce-contacts, csv-accounts... */
  flavour: string;
  /** Rows read, and rows skipped (why, per line) — a contact at a free mail address with no company. */
  rows: number;
  skipped: { line: number; reason: string }[];
}

/** Reads and checks a whole CSV file of accounts or contacts. */
export function readAccountsCsv(file: string, map: ColumnMap = new Map()): ReadAccountsResult {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new InputError(`${file}: is a folder, not a file`, { hint: 'give the path of a CSV file of companies or contacts' });
    size = st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { hint: 'check the path' });
  }
  if (size > MAX_IMPORT_BYTES) {
    throw new InputError(`${file}: ${(size / 1048576).toFixed(0)} MB is too big for a list of accounts (at most ${MAX_IMPORT_BYTES / 1048576} MB)`, {
      hint: 'export only the companies or contacts to watch, or split the file',
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (err) {
    if (err instanceof TypeError) throw new InputError(`${file}: not UTF-8 text`, { hint: 'export or save it as "CSV UTF-8"' });
    throw new InputError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseAccountsCsv(text, file, map);
}

/**
 * A cell as it was before a CSV writer's formula guard: momentscan's own CSV (`export`, `accounts list --csv`)
 * and spreadsheets write "=Northwind" as "'=Northwind" so that no spreadsheet runs it; read back, the
 * apostrophe goes (render/formats/csv.ts neutralize, undone).
 */
export function unguard(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** The records of a CSV text, each with the line it starts on. */
function* records(text: string, file: string, delimiter: string): Generator<{ line: number; fields: string[] }> {
  const lines = text.split(/\r\n|\n|\r/);
  let start = 0;
  let pending: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (pending === null) {
      start = i + 1;
      pending = line;
    } else pending += `\n${line}`;
    if (pending.length > 1 << 20) throw new InputError(`${file}: line ${start}: a record longer than 1 MB (an unclosed quote?)`, { hint: 'check the quotes on that line' });
    const fields = splitCsvRecord(pending, delimiter);
    if (fields === null) continue;
    pending = null;
    yield { line: start, fields };
  }
  if (pending !== null) throw new InputError(`${file}: line ${start}: a quoted field is never closed`, { hint: 'check the quotes on that line' });
}

/** What a Salesforce (Classic) report's CSV export ends with, under a blank line: not rows of the report. */
const FOOTER = /^(?:Copyright \(c\) .*salesforce\.com|Confidential Information - Do Not Distribute|Generated By:)/i;

/**
 * The footer a Salesforce report's CSV export ends with — after a blank line, lines of one cell each: the
 * organisation's name, "Copyright (c) 2000-2026 salesforce.com, inc. …", "Confidential Information - Do Not
 * Distribute", "Generated By: …" — where there is one; it would be read as accounts named so.
 */
function reportFooter(all: { line: number; fields: string[] }[], columns: number): { from: number; to: number; what: string } | null {
  if (columns < 2) return null;
  let i = all.length;
  while (i > 0 && all[i - 1]!.fields.filter((f) => f.trim() !== '').length <= 1) i--;
  const tail = all.slice(i);
  // the blank line before it, then the one-cell lines, of which one is Salesforce's own
  const firstBlank = tail.findIndex((r) => r.fields.every((f) => f.trim() === ''));
  if (firstBlank < 0) return null;
  const lines = tail.slice(firstBlank).filter((r) => r.fields.some((f) => f.trim() !== ''));
  const own = lines.find((r) => FOOTER.test(r.fields.find((f) => f.trim() !== '')!.trim()));
  if (!own) return null;
  return { from: lines[0]!.line, to: lines.at(-1)!.line, what: stripControl(own.fields.find((f) => f.trim() !== '')!.trim()).replace(/^(.{30}\S*).+$/, '$1') };
}

export function parseAccountsCsv(raw: string, file: string, map: ColumnMap = new Map()): ReadAccountsResult {
  const text = raw.replace(/^\uFEFF/, '');
  const firstLine = text.slice(0, text.search(/\r|\n|$/));
  // Excel in much of Europe writes semicolons
  const delimiter = csvDelimiter(firstLine);
  const all = [...records(text, file, delimiter)];
  const blank = (fields: string[]) => fields.every((f) => f.trim() === '');
  const [head, ...rest] = all.filter((r) => !blank(r.fields));
  if (head === undefined) throw new InputError(`${file}: empty file`, { hint: 'export the companies or contacts as CSV with a header line' });
  const header = head.fields.map((h) => h.trim());
  const footer = reportFooter(all, header.length);
  const it = footer ? rest.filter((r) => r.line < footer.from) : rest;
  const columns = header.map((h) => {
    const k = headerKey(h);
    return map.has(k) ? map.get(k)!.field : (HEADERS[k] ?? null);
  });
  for (const [k, { column }] of map) {
    if (!header.some((h) => headerKey(h) === k)) throw new UsageError(`--map: ${file} has no column "${column}"`, { hint: `its columns are: ${header.map(stripControl).join(', ')}` });
  }
  const headerAt = (k: string) => header.findIndex((h) => headerKey(h) === k && !map.has(k));
  // `accounts list --csv` read back: its `id` is momentscan's row id, `externalId` the CRM's, `origin` the flavour
  const listed = headerAt('externalid') >= 0;
  if (listed && headerAt('id') >= 0) columns[headerAt('id')] = null;
  const originAt = listed ? headerAt('origin') : -1;
  const has = (f: AccountField) => columns.includes(f);
  const contactsFile = has('email') || has('firstName') || has('lastName');
  // in a contacts export, "Company name" is the contact's company; a bare "Name" (Salesforce Data Loader's NAME,
  // a contact's full name) is the person's, not a company's
  let fullNameAt = -1;
  if (contactsFile) {
    columns.forEach((c, i) => {
      if (c !== 'name' || map.has(headerKey(header[i]!))) return;
      if (headerKey(header[i]!) === 'name') {
        columns[i] = null;
        fullNameAt = i;
      } else columns[i] = 'company';
    });
  }
  // a list of companies, not contacts, with a "Company" column and no name column ("Company,Website"): the
  // company is the account's name (it was ignored, and each account named after its domain)
  if (!contactsFile && !has('name')) columns.forEach((c, i) => c === 'company' && (columns[i] = 'name'));
  if (!contactsFile && !has('name') && !has('domain')) {
    throw new InputError(`${file}: line 1: no column momentscan knows (${header.slice(0, 6).map((h) => `"${stripControl(h)}"`).join(', ')}${header.length > 6 ? ', ...' : ''})`, {
      hint: 'expected e.g. "Company name", "Company Domain Name", "Account Name", "Website" or "Email"; or name them with --map COLUMN=FIELD',
    });
  }
  const keys = new Set(header.map(headerKey));
  const vendor = keys.has('recordid') || keys.has('companydomainname') || keys.has('associatedcompany') ? 'hubspot' : keys.has('accountname') || keys.has('accountid') || (keys.has('website') && keys.has('name')) ? 'salesforce' : 'csv';
  const flavour = `${vendor}-${contactsFile ? 'contacts' : vendor === 'hubspot' ? 'companies' : 'accounts'}`;
  const result: ReadAccountsResult = { origin: flavour, flavour, accounts: [], contacts: [], rows: 0, skipped: [] };
  if (footer) result.skipped.push({ line: footer.from, reason: `the report's footer, to line ${footer.to} ("${footer.what}"...), not ${contactsFile ? 'contacts' : 'accounts'}` });
  const accountAt = new Map<string, number>();
  const emailAt = new Map<string, number>();

  for (const { line, fields } of it) {
    result.rows++;
    if (fields.length > header.length && fields.slice(header.length).some((f) => f.trim() !== '')) {
      throw new InputError(`${file}: line ${line}: ${fields.length} fields, but the header has ${header.length}`, { hint: 'quote fields that hold the delimiter' });
    }
    const get = (f: AccountField): string[] =>
      columns.flatMap((c, i) => (c === f ? [stripControl(unguard(fields[i] ?? '').replace(/\s+/g, ' ')).trim()] : [])).filter(Boolean);
    const one = (f: AccountField) => get(f)[0] ?? null;
    const fail = (what: string, hint?: string): never => {
      throw new InputError(`${file}: line ${line}: ${what}`, hint ? { hint } : {});
    };
    const domainOf = (value: string | null) => {
      if (value === null) return null;
      const d = registrableDomain(value);
      if (d === null) fail(`"${value}" is not a web address or domain`, 'give a domain such as acme.com, or leave the cell empty');
      return d;
    };
    const handles = get('handle').flatMap((h) => h.split(/[;,|\s]+/)).map(normalizeHandle).filter((h): h is string => h !== null);
    if (!contactsFile) {
      // a website that is a page on a social network is no domain of the company's (its profile is a handle);
      // the network's own site (facebook.com, https://www.linkedin.com/) is the network's domain
      const website = one('domain');
      const onPlatform = website !== null && PLATFORMS.has(registrableDomain(website) ?? '') && /^(?:[a-z]+:\/\/)?[^/?#]+\/[^/?#\s]/i.test(website);
      if (onPlatform) {
        const handle = normalizeHandle(website);
        if (handle !== null && !handles.includes(handle)) handles.push(handle);
      }
      const domain = onPlatform ? null : domainOf(website);
      const name = one('name') ?? domain;
      if (name === null) {
        result.skipped.push({ line, reason: 'no name and no domain' });
        continue;
      }
      const nameKey = normalizeNameKey(name);
      const key = domain ?? `name:${nameKey}`;
      const before = accountAt.get(key);
      if (before !== undefined) fail(domain ? `domain ${domain} is already on line ${before}` : `account "${name}" (no domain) is already on line ${before}`, 'one row per company: merge the duplicates in the CRM or the file');
      accountAt.set(key, line);
      const aliases = get('aliases').flatMap((a) => a.split(/[;|]/)).map((a) => a.trim()).filter(Boolean);
      const origin = originAt >= 0 ? (fields[originAt] ?? '').trim() : '';
      result.accounts.push({ key, name, nameKey, domain, aliases, handles, externalId: one('id'), ...(ORIGIN.test(origin) ? { origin } : {}) });
      continue;
    }
    const rawEmail = one('email');
    const email = rawEmail === null ? null : emailIn(rawEmail);
    if (rawEmail !== null && email === null) fail(`"${rawEmail}" is not an e-mail address`);
    if (email !== null) {
      const before = emailAt.get(email);
      if (before !== undefined) fail(`e-mail ${email} is already on line ${before}`, 'one row per contact');
      emailAt.set(email, line);
    }
    const personName = [one('firstName'), one('lastName')].filter(Boolean).join(' ') || (fullNameAt >= 0 ? stripControl((fields[fullNameAt] ?? '').replace(/\s+/g, ' ')).trim() || null : null);
    const company = one('company');
    const emailDomain = email ? registrableDomain(email) : null;
    const domain = emailDomain && !isWebmail(emailDomain) ? emailDomain : null;
    const companyId = one('companyId');
    let accountKey: string | null = null;
    if (domain !== null || company !== null) {
      const nameKey = normalizeNameKey(company ?? domain!);
      accountKey = domain ?? `name:${nameKey}`;
      if (!accountAt.has(accountKey)) {
        accountAt.set(accountKey, line);
        // the company's CRM id (HubSpot's Primary Associated Company ID, Salesforce's AccountId): what the CRM links the contact by
        result.accounts.push({ key: accountKey, name: company ?? domain!, nameKey, domain, aliases: [], handles: [], externalId: companyId, fromContact: true });
      }
    } else if (companyId === null) {
      result.skipped.push({ line, reason: `${email ?? personName ?? 'a contact'}: no company, and ${email ? 'a free mail address' : 'no e-mail'}` });
      continue;
    }
    result.contacts.push({ accountKey, accountExternalId: companyId, email, name: personName, handles, externalId: one('id'), line });
  }
  if (result.rows === 0) throw new InputError(`${file}: only a header line, no ${contactsFile ? 'contacts' : 'accounts'}`);
  return result;
}
