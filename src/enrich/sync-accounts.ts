import type { AccountMatchRow, AccountRecord, Store } from '../store/store.js';
import { accountsFingerprint, compileAccounts, type AccountDef, type AccountMatcher } from './accounts.js';

/** The stored accounts as the matcher takes them (plain data: it crosses to the parse workers). */
export function accountDefs(records: readonly AccountRecord[]): AccountDef[] {
  return records.map((a) => ({
    id: a.id,
    name: a.name,
    domain: a.domain,
    aliases: a.aliases,
    handles: a.handles,
    contacts: a.contacts.map((c) => ({ email: c.email, handles: c.handles })),
  }));
}

/**
 * Makes the stored item–account matches those of the accounts now stored: when the accounts (or the
 * matching rules) changed since the matches were made, every stored item is matched again, and the
 * matches replaced in one transaction. Deterministic: the same items and accounts give the same rows,
 * whatever order they were fetched or imported in. A read-only store is left as it is.
 * `force`: match again even so (a fetch parsed with accounts that changed meanwhile).
 * Returns the accounts (for the parse stage) and how many items were matched again (0: nothing to do).
 */
export function syncAccounts(store: Store, o: { force?: boolean } = {}): { defs: AccountDef[]; matcher: AccountMatcher; rematched: number } {
  const defs = accountDefs(store.accountRecords());
  // compiled when first asked for: a command that only reads (moments, items) needs the fingerprint alone, and
  // compiling 50,000 accounts costs ~0.65 s of CPU
  let compiled: AccountMatcher | undefined;
  const matcherOf = () => (compiled ??= compileAccounts(defs));
  const stored = store.accountMatchFingerprint();
  // no accounts and no matches ever made: nothing to record
  // (the fingerprint last: with no accounts and none stored it is never made)
  if (store.readonly || (stored === null && defs.length === 0) || (!o.force && stored === (compiled?.fingerprint ?? accountsFingerprint(defs)))) {
    return {
      defs,
      get matcher() {
        return matcherOf();
      },
      rematched: 0,
    };
  }
  const matcher = matcherOf();
  const rows: AccountMatchRow[] = [];
  let items = 0;
  for (const page of store.accountMatchInputs()) {
    for (const it of page) {
      items++;
      for (const m of matcher.match(it)) rows.push({ itemId: it.id, accountId: m.accountId, matchType: m.matchType, confidence: m.confidence });
    }
  }
  store.replaceAccountMatches(rows, matcher.fingerprint);
  return { defs, matcher, rematched: items };
}
