import type { Renderer } from '../types.js';

/** One JSON object per line; nothing at all when empty. */
export const renderNdjson: Renderer = (listing) => listing.rows.map((r) => `${JSON.stringify(listing.json(r))}\n`).join('');
