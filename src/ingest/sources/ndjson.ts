import { SCHEME } from '../../config/sources/ndjson.js';
import { readLocalFile } from '../../fetch/local.js';
import type { ItemSource } from './index.js';

/** An ndjson source: the file (at most fetch.maxBytes of it) read whole on every run, each line an item. */
export const ndjsonSource: ItemSource = async (id, ctx) => {
  const file = id.slice(SCHEME.length);
  // the item reader (and rss-parser behind it) only when a run has such a source: a run where nothing is
  // due, or only feeds, never loads it
  const { parseNdjsonItems } = await import('../../parse/ndjson.js');
  return parseNdjsonItems(await readLocalFile(file, ctx.maxBytes), file, ctx.now);
};
