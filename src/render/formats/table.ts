import type { Renderer } from '../types.js';

/** The listing's own human table. */
export const renderTable: Renderer = (listing, ctx) => listing.table(listing.rows, ctx);
