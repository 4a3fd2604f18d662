import { UsageError } from '../core/errors.js';
import { fmtCount } from '../core/limits.js';
import { listItemRows } from '../moments/items.js';
import { render } from '../render/index.js';
import { itemsListing, type ItemRow } from '../render/items.js';
import { openStore } from '../store/store.js';
import { chooseFormat, configFor, type GlobalOptions, log, noteBigTable, type OutputOptions, processEnv, renderContext, writeOut } from './context.js';
import { asOfFlag, limitFlag, needTopics, sinceFlag, topicsFlag } from './flags.js';

export interface ItemsOptions extends OutputOptions {
  topic?: string[];
  since?: string;
  asOf?: string;
  limit?: string;
  all?: boolean;
  sort?: string;
  explain?: boolean;
  search?: string;
}

const DEFAULT_LIMIT = 50;

const SORTS = { time: 'time', negative: 'sentiment', positive: 'sentiment-desc' } as const;

/** `momentscan items`: the stored items, newest first, with the topics they belong to (and why). */
export async function run(g: GlobalOptions, o: ItemsOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config, dbPath } = configFor(g, env);
  const asOf = asOfFlag(o.asOf, env.now());
  const to = asOf + 1;
  const from = sinceFlag(o.since ?? '7d', asOf);
  if (o.all && o.limit !== undefined) throw new UsageError('choose --limit or --all, not both');
  const limit = o.all ? -1 : limitFlag(o.limit, DEFAULT_LIMIT, 'or --all for every item of the period')!;
  const sort = (o.sort ?? 'time') as keyof typeof SORTS;
  if (!Object.hasOwn(SORTS, sort)) throw new UsageError(`--sort: expected time, negative or positive, got "${o.sort}"`);
  const wanted = topicsFlag(config, o.topic);
  if (o.explain) needTopics(config, 'add topics to explain matches against');
  const store = await openStore(dbPath, { readonlyIfDenied: true });
  let listed: { rows: ItemRow[]; total: number };
  try {
    const query = { from, to, limit, sort: SORTS[sort], topics: wanted, explain: Boolean(o.explain), ...(o.search !== undefined ? { search: o.search } : {}) };
    listed = listItemRows(config, store, query, (line) => log(`momentscan: warning: ${line}`));
  } finally {
    store.close();
  }
  const { rows, total } = listed;
  if (!o.all && !g.quiet && total > rows.length) {
    log(`momentscan: showing ${fmtCount(rows.length)} of ${fmtCount(total)} items; --limit ${Math.min(total, 1000)} or --all for more`);
  }
  noteBigTable(format, rows.length, g.quiet);
  await writeOut(render(format, itemsListing(rows, { from, to: to - 1 }), renderContext(g, o, env, to - 1)));
  return 0;
}
