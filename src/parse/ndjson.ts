/**
 * A file of items, one JSON object a line (an ndjson source: see config/sources/ndjson.ts), into items
 * cleaned like a feed's (parse/feed.ts `itemFromRecord`). Blank lines are passed over; a line that is not
 * a JSON object is a FeedError naming the line, so the source fails as a malformed feed does.
 */
import { FeedError } from '../core/errors.js';
import type { ParsedItem } from '../core/types.js';
import { itemFromRecord } from './feed.js';
import { jsonObjectLine } from './lines.js';

export function parseNdjsonItems(body: Uint8Array, name: string, fetchedAt: number): ParsedItem[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new FeedError('parse', `${name} is not UTF-8 text`, { hint: 'write the file of items in UTF-8, one JSON object a line' });
  }
  const items: ParsedItem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const read = jsonObjectLine(line);
    if ('problem' in read) throw new FeedError('parse', `line ${i + 1}: ${read.problem}`, { hint: 'give one JSON object a line, with at least a "title" or a "url"' });
    const item = itemFromRecord(read.value, fetchedAt);
    if (item !== null) items.push(item);
  }
  return items;
}
