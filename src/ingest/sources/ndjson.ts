import { SCHEME } from '../../config/sources/ndjson.js';
import { readLocalFile } from '../../fetch/local.js';
import { parseNdjsonItems } from '../../parse/ndjson.js';
import type { ItemSource } from './index.js';

/** An ndjson source: the file (at most fetch.maxBytes of it) read whole on every run, each line an item. */
export const ndjsonSource: ItemSource = async (id, ctx) => {
  const file = id.slice(SCHEME.length);
  return parseNdjsonItems(await readLocalFile(file, ctx.maxBytes), file, ctx.now);
};
