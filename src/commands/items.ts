import { ConfigError, UsageError } from '../core/errors.js';
import { fmtCount } from '../core/limits.js';
import { compileTopic, viewOf } from '../enrich/match.js';
import { render } from '../render/index.js';
import { itemsListing, type ItemRow } from '../render/items.js';
import { Store } from '../store/store.js';
import { chooseFormat, configFor, type GlobalOptions, log, noteBigTable, type OutputOptions, processEnv, renderContext, writeOut } from './context.js';
import { syncTopics } from '../enrich/sync-topics.js';
import { asOfFlag, limitFlag, sinceFlag, topicsFlag } from './flags.js';

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
  if (!(sort in SORTS)) throw new UsageError(`--sort: expected time, negative or positive, got "${o.sort}"`);
  const wanted = topicsFlag(config, o.topic).map((name) => config.topics.find((t) => t.name === name)!);
  if (o.explain && config.topics.length === 0) throw new ConfigError(`${config.file ?? 'config'}: no topics configured`, { hint: 'add topics to explain matches against' });
  const store = Store.open(dbPath, { readonlyIfDenied: true });
  let rows: ItemRow[];
  const counted = { total: 0 };
  try {
    const { topicIds } = syncTopics(config, store);
    const names = new Map([...topicIds].map(([name, id]) => [id, name]));
    let ids: Set<number> | undefined;
    if (o.search !== undefined) {
      const unindexed = store.updateSearchIndex();
      if (unindexed > 0) log(`momentscan: warning: the search index lacks the ${fmtCount(unindexed)} newest items, and this user may only read the database: they are not searched`);
      ids = store.searchIds(o.search);
    }
    const listed = store.listItems({
      counted,
      ...(ids ? { ids } : {}),
      from,
      to,
      limit,
      sort: SORTS[sort],
      ...(wanted.length ? { topicIds: wanted.map((t) => topicIds.get(t.name)!) } : {}),
    });
    const matchers = o.explain ? new Map(config.topics.map((t) => [t.name, compileTopic(t)])) : null;
    rows = listed.map((it) => {
      const topics = it.topicIds.map((id) => names.get(id)).filter((n): n is string => n !== undefined);
      let why: Record<string, string[]> | null = null;
      if (matchers) {
        // a topic may be called __proto__: no prototype to swallow it
        why = Object.create(null) as Record<string, string[]>;
        const view = viewOf(it);
        for (const t of wanted.length ? wanted.map((w) => w.name) : topics) {
          why[t] = matchers.get(t)?.explain(it, view) ?? [];
        }
      }
      return { ...it, topics, why };
    });
  } finally {
    store.close();
  }
  if (!o.all && !g.quiet && counted.total > rows.length) {
    log(`momentscan: showing ${fmtCount(rows.length)} of ${fmtCount(counted.total)} items; --limit ${Math.min(counted.total, 1000)} or --all for more`);
  }
  noteBigTable(format, rows.length, g.quiet);
  await writeOut(render(format, itemsListing(rows, { from, to: to - 1 }), renderContext(g, o, env, to - 1)));
  return 0;
}
