import { parseColumnMap, readAccountsCsv } from '../../config/accounts-csv.js';
import { SCHEMA_VERSION } from '../../render/index.js';
import { ExitCode } from '../../core/errors.js';
import { reviewNotes } from '../../enrich/accounts.js';
import { syncAccounts } from '../../enrich/sync-accounts.js';
import { plural } from '../../render/digest.js';
import { stripControl } from '../../core/text.js';
import { openStore } from '../../store/store.js';
import { configFor, log, processEnv, writeOut, type GlobalOptions } from '../context.js';

export interface ImportOptions {
  file: string;
  map?: string[];
  replace?: boolean;
  json?: boolean;
}

/**
 * `momentscan accounts import FILE.csv`: reads a CRM export (checked whole before anything is stored), stores
 * its accounts and contacts, and matches every stored item against the accounts as they now are — all in
 * one transaction: a failure imports nothing.
 */
export async function importAccounts(g: GlobalOptions, o: ImportOptions): Promise<number> {
  const env = processEnv();
  const { dbPath } = configFor(g, env);
  const map = parseColumnMap(o.map ?? []);
  const read = readAccountsCsv(o.file, map);
  const store = await openStore(dbPath);
  let summary;
  try {
    summary = store.together(() => {
      const result = store.importAccounts(read, { replace: Boolean(o.replace), now: env.now() });
      const synced = syncAccounts(store);
      const review = reviewNotes(synced.defs);
      const matched = store.listAccounts().reduce((n, a) => n + (a.items > 0 ? 1 : 0), 0);
      return { ...result, rematched: synced.rematched, matchedAccounts: matched, accounts: synced.defs.length, review, names: new Map(synced.defs.map((d) => [d.id, d.name])) };
    });
  } finally {
    store.close();
  }
  // a contact linked only by the CRM id of a company not stored is not stored either: said as a skipped row
  const skipped = [
    ...read.skipped,
    ...summary.unlinked.map((u) => ({ line: u.line ?? 0, reason: `${u.who}: its company (CRM id ${u.companyId}) is not among the accounts — import the companies first` })),
  ].sort((a, b) => a.line - b.line);
  const out = {
    schemaVersion: SCHEMA_VERSION,
    file: o.file,
    flavour: read.flavour,
    rows: read.rows,
    added: summary.added,
    updated: summary.updated,
    removed: summary.removed,
    contacts: summary.contacts,
    skipped,
    joined: summary.joined.map((j) => ({ id: j.id, name: j.name, into: j.into })),
    accounts: summary.accounts,
    itemsMatched: summary.rematched,
    accountsWithItems: summary.matchedAccounts,
  };
  if (o.json) await writeOut(`${JSON.stringify(out, null, 2)}\n`);
  if (!g.quiet) {
    log(
      `accounts: ${o.file} (${read.flavour}): ${plural(read.rows, 'row')}; ${plural(summary.added, 'account')} added, ${summary.updated} updated` +
        `${summary.removed ? `, ${summary.removed} removed first (--replace)` : ''}, ${plural(summary.contacts, 'contact')}; ${plural(summary.accounts, 'account')} in all`,
    );
    for (const j of summary.joined.slice(0, 10)) {
      log(`accounts: "${stripControl(j.name)}", made from contacts imported before their company, ${j.id === j.into ? 'is now' : 'joined'} account ${j.into} "${stripControl(j.intoName)}"${j.id === j.into ? '' : ` (account ${j.id} is gone, its contacts moved)`}`);
    }
    if (summary.joined.length > 10) log(`accounts: ... and ${plural(summary.joined.length - 10, 'more account')} made from contacts joined their company`);
    for (const s of skipped.slice(0, 10)) log(`accounts: line ${s.line} skipped: ${s.reason}`);
    if (skipped.length > 10) log(`accounts: ... and ${plural(skipped.length - 10, 'more row', 'more rows')} skipped`);
    if (summary.rematched > 0) log(`accounts: ${plural(summary.rematched, 'stored item')} matched again; ${plural(summary.matchedAccounts, 'account')} involved in some`);
    // (a note that says where the name is matched, an everyday word's or a short name's, is not contradicted)
    for (const [id, notes] of summary.review) {
      log(`accounts: review ${id} (${summary.names.get(id)}): ${notes.map((n) => (n.includes(': matched only') ? n : `${n} (never matched on the name alone)`)).join('; ')}`);
    }
  }
  return ExitCode.OK;
}

