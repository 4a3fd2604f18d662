import { ExitCode } from '../../core/errors.js';
import { syncAccounts } from '../../enrich/sync-accounts.js';
import { openStore } from '../../store/store.js';
import { configFor, log, processEnv, type GlobalOptions } from '../context.js';

/** `momentscan accounts remove ID|DOMAIN|NAME...`: forgets accounts (their contacts and matches go with them). */
export async function remove(g: GlobalOptions, o: { keys: string[] }): Promise<number> {
  const env = processEnv();
  const { dbPath } = configFor(g, env);
  const store = await openStore(dbPath);
  let removed;
  try {
    removed = store.together(() => {
      const gone = store.removeAccounts(o.keys);
      // an alias two accounts shared may match again now: redo the matches
      syncAccounts(store);
      return gone;
    });
  } finally {
    store.close();
  }
  if (!g.quiet) for (const r of removed) log(`accounts: ${r.id} (${r.name}) removed`);
  return ExitCode.OK;
}
