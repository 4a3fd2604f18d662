import { topicRows } from '../../moments/topic-state.js';
import type { TopicRow } from '../../moments/types.js';
import { render } from '../../render/index.js';
import { topicsListing } from '../../render/topics.js';
import { openStore, storeExists } from '../../store/store.js';
import { chooseFormat, configFor, log, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from '../context.js';

/** `momentscan topics`: each topic's query, feeds, items, learning state and last moment. */
export async function list(g: GlobalOptions, o: OutputOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config, dbPath } = configFor(g, env);
  const now = env.now();
  // no database yet: every topic has no items (and none is created just to say so)
  const store = storeExists(dbPath) ? await openStore(dbPath, { readonlyIfDenied: true }) : null;
  let rows: TopicRow[];
  try {
    rows = topicRows(config, store, now, undefined, (line) => log(`momentscan: warning: ${line}`));
  } finally {
    store?.close();
  }
  await writeOut(render(format, topicsListing(rows), await renderContext(g, o, env, now, format, config.defaults.timeZone)));
  return 0;
}
