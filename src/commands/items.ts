import { UsageError } from '../core/errors.js';
import { fmtCount } from '../core/limits.js';
import { listItemRows } from '../moments/items.js';
import { render, writer } from '../render/index.js';
import { itemsListing, itemsSheet, type ItemRow } from '../render/items.js';
import { openStore } from '../store/store.js';
import { blockWriter, chooseFormat, configFor, type GlobalOptions, log, noteBigTable, type OutputOptions, processEnv, renderContext, writeOut } from './context.js';
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

/** As `moments` maps its reads (SQLite keeps it within its own limit, 2 GiB in better-sqlite3's build). */
const MAP_READS_BYTES = 2 ** 31;

const SORTS = { time: 'time', negative: 'sentiment', positive: 'sentiment-desc' } as const;

/** `momentscan items`: the stored items, newest first, with the topics they belong to (and why). */
export async function run(g: GlobalOptions, o: ItemsOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config, dbPath } = configFor(g, env);
  const asOf = asOfFlag(o.asOf, env.now(), config.defaults.timeZone);
  const to = asOf + 1;
  const from = sinceFlag(o.since ?? '7d', asOf, config.defaults.timeZone);
  if (o.all && o.limit !== undefined) throw new UsageError('choose --limit or --all, not both');
  const limit = o.all ? -1 : limitFlag(o.limit, DEFAULT_LIMIT, 'or --all for every item of the period')!;
  const sort = (o.sort ?? 'time') as keyof typeof SORTS;
  if (!Object.hasOwn(SORTS, sort)) throw new UsageError(`--sort: expected time, negative or positive, got "${o.sort}"`);
  const wanted = topicsFlag(config, o.topic);
  if (o.explain) needTopics(config, 'add topics to explain matches against');
  const store = await openStore(dbPath, { readonlyIfDenied: true });
  // the rows are read by id all over the items table (listed by time, stored by fetch): through a memory map
  // instead of a read() and a copy per page, ~3 µs a row less (`items --all` over 90 days: a million rows).
  // The mapped pages are the OS's file cache; they count in the RSS as file pages, as for `moments`
  store.mapReads?.(MAP_READS_BYTES);
  try {
    const query = { from, to, limit, sort: SORTS[sort], topics: wanted, explain: Boolean(o.explain), ...(o.search !== undefined ? { search: o.search } : {}) };
    const { pages, total } = listItemRows(config, store, query, (line) => log(`momentscan: warning: ${line}`));
    // an empty table says why: nothing stored yet, or nothing of these topics or this search in the period
    const meta = { from, to: to - 1, topics: wanted, ...(o.search !== undefined ? { search: o.search } : {}), ...(total === 0 ? { stored: store.hasItems(), noConfig: config.file === null } : {}) };
    const ctx = await renderContext(g, o, env, to - 1, format, config.defaults.timeZone);
    if (format === 'table') {
      // the table is drawn whole (for people, and bounded by --limit; a note says when it is long)
      const rows: ItemRow[] = [];
      for (const page of pages) for (const r of page) rows.push(r);
      showingNote(g, o, rows.length, total);
      noteBigTable(format, rows.length, g.quiet);
      await writeOut(render(format, itemsListing(rows, meta), ctx));
      return 0;
    }
    // every other format is written a page of rows at a time: memory for a page, whatever the count
    const listed = pages[Symbol.iterator]();
    let page = listed.next();
    const shown = Math.min(total, limit < 0 ? total : limit);
    showingNote(g, o, shown, total);
    const out = writer(format, itemsSheet(meta), ctx, page.done ? undefined : page.value[0]);
    const stream = blockWriter();
    stream.put(out.head());
    for (; !page.done; page = listed.next()) {
      for (const r of page.value) stream.put(out.row(r));
      if (!(await stream.ready())) return 0;
    }
    await stream.end(out.end());
    return 0;
  } finally {
    store.close();
  }
}

/** The "N of M" note on stderr when --limit cut the listing. */
function showingNote(g: GlobalOptions, o: ItemsOptions, shown: number, total: number): void {
  if (!o.all && !g.quiet && total > shown) {
    log(`momentscan: showing ${fmtCount(shown)} of ${fmtCount(total)} items; --limit ${Math.min(total, 1000)} or --all for more`);
  }
}
