/**
 * `momentscan export --to hubspot|salesforce`: the moments that involve known accounts as CSV files a CRM
 * imports as they are. Pure: moments and accounts in, files' text out. One note per moment and account.
 * Every cell goes through the CSV writer's guard (feed text is hostile: a cell starting with = + - @ gets
 * a leading apostrophe, escape sequences go).
 */
import { createHash } from 'node:crypto';
import { iso, fmtUtcShort } from '../core/time.js';
import type { MomentAccount } from '../core/types.js';
import type { MomentRow } from '../moments/types.js';
import { cellText, fmtNum, fmtSigned } from './text.js';
import { csvCell } from './formats/csv.js';
import type { Cell } from './types.js';

export const CRM_TARGETS = ['hubspot', 'salesforce'] as const;
export type CrmTarget = (typeof CRM_TARGETS)[number];

/** What the CRM knows an account by, beyond its name and domain. */
export interface CrmAccount {
  id: number;
  name: string;
  domain: string | null;
  externalId: string | null;
  /** The CSV flavour it came from: hubspot-companies, salesforce-accounts... */
  origin: string;
}

export interface CrmFile {
  name: string;
  text: string;
  /** Its rows (notes), where the caller says how many. */
  rows?: number;
}

const line = (cells: Cell[]) => `${cells.map(csvCell).join(',')}\r\n`;

/**
 * A note's stable id: the same moment (topic, kind, direction, start) and account give the same id in
 * every export, so a CRM that upserts on it never makes a second note.
 */
export function noteId(m: Pick<MomentRow, 'topic' | 'kind' | 'direction' | 'start'>, a: Pick<CrmAccount, 'domain' | 'name'>): string {
  const key = [m.topic, m.kind, m.direction, iso(m.start), a.domain ?? `name:${a.name}`].join('\u0000');
  return `momentscan-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** "2026-11-19 06:00" (UTC): a form both CRMs' importers read as a date and time. */
function activityDate(ms: number): string {
  return fmtUtcShort(ms);
}

/** The note's text: what happened, how big, and the top headline with its link. Plain text, one paragraph a line. */
export function noteBody(m: MomentRow, a: MomentAccount): string {
  const what = m.kind === 'volume-spike' ? 'volume spike' : `${m.direction} tone shift`;
  const lines = [
    `momentscan: ${what} in "${cellText(m.topic)}", score ${m.score.toFixed(1)}, ${m.ongoing ? `ongoing since ${iso(m.start)}` : `${iso(m.start)} to ${iso(m.end)}`}.`,
    `${m.totalStories} stories vs ${fmtNum(m.expectedTotal)} expected; tone ${fmtSigned(m.sentimentNow)} vs ${fmtSigned(m.sentimentBaseline)} before.`,
    `${cellText(a.name)}: ${a.items} item${a.items === 1 ? '' : 's'} of the moment involve it.`,
  ];
  const top = m.examples[0];
  if (top) lines.push(`Top: ${cellText(top.title)}${top.source ? ` (${cellText(top.source)})` : ''}${top.link ? ` ${cellText(top.link)}` : ''}`);
  return lines.join('\n');
}

/** Each (moment, account) pair once, in moment order then the moment's account order. */
function pairs(moments: readonly MomentRow[], accounts: ReadonlyMap<number, CrmAccount>): { m: MomentRow; a: MomentAccount; crm: CrmAccount }[] {
  const out: { m: MomentRow; a: MomentAccount; crm: CrmAccount }[] = [];
  for (const m of moments) {
    for (const a of m.accounts ?? []) {
      const crm = accounts.get(a.id);
      if (crm) out.push({ m, a, crm });
    }
  }
  return out;
}

/**
 * HubSpot: notes.csv (Note body, Activity date, Company domain name, and the note's Momentscan ID) and
 * companies.csv (the companies the notes are about: Record ID where they came from HubSpot, name, domain).
 * Imported together as two objects ("Notes" and "Companies"), associated by Company domain name.
 */
export function hubspotFiles(moments: readonly MomentRow[], accounts: ReadonlyMap<number, CrmAccount>): CrmFile[] {
  const all = pairs(moments, accounts);
  let notes = line(['Momentscan ID', 'Note body', 'Activity date', 'Company domain name', 'Company name']);
  const companies = new Map<number, CrmAccount>();
  for (const { m, a, crm } of all) {
    // HubSpot associates a note with a company by its domain: an account without one is named only
    notes += line([noteId(m, crm), noteBody(m, a), activityDate(m.firedAt), crm.domain, crm.name]);
    companies.set(crm.id, crm);
  }
  let companiesText = line(['Record ID', 'Company name', 'Company domain name']);
  for (const c of [...companies.values()].sort((x, y) => x.id - y.id)) {
    companiesText += line([c.origin.startsWith('hubspot') ? c.externalId : null, c.name, c.domain]);
  }
  return [
    { name: 'hubspot-notes.csv', text: notes },
    { name: 'hubspot-companies.csv', text: companiesText },
  ];
}

/**
 * Salesforce: ContentNote-style rows (Title, Content) with an External Id to upsert on (Data Loader's
 * upsert, matched on a text External ID field), and the account to link each to: its Salesforce Id where
 * it came from Salesforce, else its name and website.
 */
/** A Salesforce note's title: "Volume spike: Acme Robotics (Acme Corporation, Inc.)". */
function salesforceTitle(m: MomentRow, crm: CrmAccount): string {
  const what = m.kind === 'volume-spike' ? 'Volume spike' : `${m.direction === 'negative' ? 'Negative' : 'Positive'} tone shift`;
  return `${what}: ${cellText(m.topic)} (${crm.name})`;
}

export function salesforceFiles(moments: readonly MomentRow[], accounts: ReadonlyMap<number, CrmAccount>): CrmFile[] {
  let text = line(['External Id', 'Title', 'Content', 'Activity Date', 'Account Id', 'Account Name', 'Website']);
  for (const { m, a, crm } of pairs(moments, accounts)) {
    text += line([
      noteId(m, crm),
      salesforceTitle(m, crm),
      noteBody(m, a),
      iso(m.firedAt),
      crm.origin.startsWith('salesforce') ? crm.externalId : null,
      crm.name,
      crm.domain,
    ]);
  }
  return [{ name: 'salesforce-notes.csv', text }];
}

export function crmFiles(to: CrmTarget, moments: readonly MomentRow[], accounts: ReadonlyMap<number, CrmAccount>): CrmFile[] {
  return to === 'hubspot' ? hubspotFiles(moments, accounts) : salesforceFiles(moments, accounts);
}

/**
 * The notes of moments labelled noise, which an export before the label may have written into the CRM: their
 * ids (the ones their notes had), to delete there — an import cannot delete, and momentscan does not reach into
 * the CRM. Null when no such moment involves a known account.
 */
export function withdrawFile(to: CrmTarget, noise: readonly MomentRow[], accounts: ReadonlyMap<number, CrmAccount>): CrmFile | null {
  const all = pairs(noise, accounts);
  if (all.length === 0) return null;
  const labelled = (m: MomentRow) => [m.label ? iso(m.label.at) : null, m.label?.note ?? null] as Cell[];
  if (to === 'hubspot') {
    let text = line(['Momentscan ID', 'Company domain name', 'Company name', 'Activity date', 'Labelled noise at', 'Why']);
    for (const { m, crm } of all) text += line([noteId(m, crm), crm.domain, crm.name, activityDate(m.firedAt), ...labelled(m)]);
    return { name: 'hubspot-withdraw.csv', text, rows: all.length };
  }
  let text = line(['External Id', 'Title', 'Activity Date', 'Account Id', 'Account Name', 'Website', 'Labelled noise at', 'Why']);
  for (const { m, crm } of all) {
    text += line([noteId(m, crm), salesforceTitle(m, crm), iso(m.firedAt), crm.origin.startsWith('salesforce') ? crm.externalId : null, crm.name, crm.domain, ...labelled(m)]);
  }
  return { name: 'salesforce-withdraw.csv', text, rows: all.length };
}
