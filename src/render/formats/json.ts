import type { Renderer } from '../types.js';

/** A JSON array (`[]` when empty), pretty-printed, newline-terminated. */
export const renderJson: Renderer = (listing) => `${JSON.stringify(listing.rows.map(listing.json), null, 2)}\n`;
