/**
 * Sources that are not feeds (a file of items, an API with no RSS): each yields its items itself, and
 * they are then enriched, matched and stored like a feed's, all of a run's in one transaction. A kind
 * whose definition says `readsItems` (config/sources/) has its reader here, one file each, keyed by kind.
 */
import type { ParsedItem } from '../../core/types.js';
import { ndjsonSource } from './ndjson.js';

export interface ItemSourceContext {
  /** The last successful read, or null: a source may skip what it gave before (items are deduplicated anyway). */
  since: number | null;
  /** The run's time: an item with no date of its own is dated now. */
  now: number;
  signal: AbortSignal;
  /** fetch.maxBytes: no more than this is read. */
  maxBytes: number;
}

/** Reads a source's items from its id (what its kind's `feedUrl` built); throws a FeedError when it cannot. */
export type ItemSource = (id: string, ctx: ItemSourceContext) => Promise<ParsedItem[]>;

const ITEM_SOURCES: Record<string, ItemSource> = {
  ndjson: ndjsonSource,
};

/** The reader of a kind that is not a feed, or undefined (a feed: fetched and parsed). */
export function itemSourceOf(kind: string | undefined): ItemSource | undefined {
  return kind !== undefined && Object.hasOwn(ITEM_SOURCES, kind) ? ITEM_SOURCES[kind] : undefined;
}
