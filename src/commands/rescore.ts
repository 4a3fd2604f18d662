import { StoreError } from '../core/errors.js';
import { identifyLanguage } from '../enrich/language.js';
import { analyzeSentiment, SENTIMENT_ENGINE } from '../enrich/sentiment.js';
import { openStore, storeExists } from '../store/store.js';
import { configFor, log, processEnv, showsProgress, type GlobalOptions } from './context.js';

export interface RescoreOptions {
  all?: boolean;
}

/**
 * `momentscan rescore`: scores stored items again with this version's sentiment engine — those scored
 * by another version (or all, with --all) — a page per transaction, so an interruption keeps what was done.
 */
export async function run(g: GlobalOptions, o: RescoreOptions): Promise<number> {
  const env = processEnv();
  const { dbPath } = configFor(g, env);
  if (!storeExists(dbPath)) throw new StoreError(`${dbPath}: no database yet`, { hint: 'run momentscan fetch first, or point --db at your database' });
  const store = await openStore(dbPath);
  let done = 0;
  try {
    for (const page of store.itemsToRescore(SENTIMENT_ENGINE, Boolean(o.all))) {
      store.saveSentiments(
        page.map((it) => {
          const text = it.summary ? `${it.title}. ${it.summary}` : it.title;
          // as when fetched: no language told is read as English, unless the text is in another script
          const unscored = it.language === null && identifyLanguage(text).otherScript;
          return { id: it.id, sentiment: unscored ? null : analyzeSentiment(text, { language: it.language ?? 'en' }).score };
        }),
        SENTIMENT_ENGINE,
      );
      done += page.length;
      if (showsProgress(env, g.quiet)) process.stderr.write(`\rrescoring: ${done} items`);
    }
    if (done > 0) store.rebuildTopicCounts();
  } finally {
    store.close();
  }
  if (showsProgress(env, g.quiet)) process.stderr.write('\r\x1b[K');
  if (!g.quiet) log(`momentscan: rescored ${done} item${done === 1 ? '' : 's'} with ${SENTIMENT_ENGINE}`);
  return 0;
}
