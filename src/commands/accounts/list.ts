import { ExitCode } from '../../core/errors.js';
import { reviewNotes } from '../../enrich/accounts.js';
import { accountDefs } from '../../enrich/sync-accounts.js';
import { accountsListing } from '../../render/accounts.js';
import { render } from '../../render/index.js';
import { openStore } from '../../store/store.js';
import { chooseFormat, configFor, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from '../context.js';

/** `momentscan accounts list`: the known accounts, how many items involve each, and names flagged for review. */
export async function list(g: GlobalOptions, o: OutputOptions): Promise<number> {
  const env = processEnv();
  const { dbPath } = configFor(g, env);
  const format = chooseFormat(o);
  const now = env.now();
  const store = await openStore(dbPath, { readonlyIfDenied: true });
  let rows;
  try {
    rows = store.listAccounts();
  } finally {
    store.close();
  }
  const review = reviewNotes(accountDefs(rows));
  const listed = rows.map((a) => ({ ...a, review: review.get(a.id) ?? [] }));
  await writeOut(render(format, accountsListing(listed), await renderContext(g, o, env, now, format)));
  return ExitCode.OK;
}
