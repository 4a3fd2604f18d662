import { UsageError } from '../core/errors.js';
import { renderCsv, renderTsv } from './formats/csv.js';
import { renderJson } from './formats/json.js';
import { renderMarkdown } from './formats/markdown.js';
import { renderNdjson } from './formats/ndjson.js';
import { renderTable } from './formats/table.js';
import type { Format, Listing, RenderContext, Renderer } from './types.js';

export const RENDERERS: Record<Format, Renderer> = {
  table: renderTable,
  json: renderJson,
  ndjson: renderNdjson,
  csv: renderCsv,
  tsv: renderTsv,
  markdown: renderMarkdown,
};

/** Version of the JSON records' shape: scripts can check it; it changes when a field changes meaning or goes. */
export const SCHEMA_VERSION = 1;

/**
 * Renders a listing. Machine formats carry `schemaVersion` in every JSON record, and --fields keeps only
 * the named fields (in that order) in JSON records and flat columns alike.
 */
export function render<T>(format: Format, listing: Listing<T>, ctx: RenderContext): string {
  const fields = ctx.fields ?? null;
  if (fields && format === 'table') {
    throw new UsageError('--fields goes with a machine format, not the table', { hint: 'add --json, --csv or --format tsv|ndjson|markdown' });
  }
  if (fields) {
    const known = fieldNames(listing, listing.rows[0]);
    const unknown = fields.filter((f) => !known.includes(f));
    if (unknown.length) throw new UsageError(`--fields: no field named "${unknown[0]}"`, { hint: `fields are: ${known.join(', ')}` });
  }
  const json = (row: T) => {
    const full = listing.json(row) as Record<string, unknown>;
    const picked = fields ? Object.fromEntries(fields.filter((f) => f in full).map((f) => [f, full[f]])) : full;
    return { schemaVersion: SCHEMA_VERSION, ...picked };
  };
  const columns = fields ? fields.map((f) => listing.columns.find((c) => c.key === f)).filter((c) => c !== undefined) : listing.columns;
  return RENDERERS[format]({ ...listing, json, columns }, ctx);
}

/** The fields a listing can be cut down to with --fields. */
export function fieldNames<T>(listing: Listing<T>, sample?: T): string[] {
  const keys = new Set(listing.columns.map((c) => c.key));
  if (sample !== undefined) for (const k of Object.keys(listing.json(sample) as object)) keys.add(k);
  return [...keys];
}

export { FORMATS, type Format, type Listing, type RenderContext } from './types.js';
