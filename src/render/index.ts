import { UsageError } from '../core/errors.js';
import { toCell } from './formats/cell.js';
import { csv, tsv } from './formats/csv.js';
import { json } from './formats/json.js';
import { markdown } from './formats/markdown.js';
import { ndjson } from './formats/ndjson.js';
import { table } from './formats/table.js';
import type { Column, Format, FormatWriter, Listing, RenderContext, Sheet, Writer } from './types.js';

/**
 * The one output contract. Every format is a writer in this registry (one file per format in formats/);
 * every listing, whole (render) or streamed a row at a time (writer), goes through `prepare`, the one
 * place where JSON records get `schemaVersion` and --fields cuts records and columns alike.
 */
export const WRITERS: Record<Format, FormatWriter> = { table, json, ndjson, csv, tsv, markdown };

/** Version of the JSON records' shape: scripts can check it; it changes when a field changes meaning or goes. */
export const SCHEMA_VERSION = 1;

/** A listing rendered whole. */
export function render<T>(format: Format, listing: Listing<T>, ctx: RenderContext): string {
  const w = writer(format, listing, ctx, listing.rows[0]);
  let out = w.head();
  for (const r of listing.rows) out += w.row(r);
  return out + w.end();
}

/** A writer of `format` for a sheet whose rows come one at a time (`sample`: a row, to tell its JSON keys by). */
export function writer<T>(format: Format, sheet: Sheet<T>, ctx: RenderContext, sample?: T): Writer<T> {
  return WRITERS[format](prepare(format, sheet, ctx, sample), ctx);
}

/** The sheet as the formats get it: records with schemaVersion first, records and columns cut to --fields. */
function prepare<T>(format: Format, sheet: Sheet<T>, ctx: RenderContext, sample?: T): Sheet<T> {
  const fields = ctx.fields ?? null;
  if (!fields) {
    const members = sheet.jsonMembers;
    return {
      ...sheet,
      json: (r) => ({ schemaVersion: SCHEMA_VERSION, ...sheet.json(r) }),
      jsonMembers: members && ((r) => {
        const m = members(r);
        return m === undefined ? undefined : m === '' ? `"schemaVersion":${SCHEMA_VERSION}` : `"schemaVersion":${SCHEMA_VERSION},${m}`;
      }),
    };
  }
  if (format === 'table') {
    throw new UsageError('--fields goes with a machine format, not the table', { hint: 'add --json, --csv or --format tsv|ndjson|markdown' });
  }
  if (!sheet.open) {
    const known = fieldNames(sheet, sample);
    const unknown = fields.find((f) => !known.includes(f));
    if (unknown !== undefined) throw new UsageError(`--fields: no field named "${unknown}"`, { hint: `fields are: ${known.join(', ')}` });
  }
  const json = (r: T) => {
    const full = sheet.json(r);
    const picked: Record<string, unknown> = { schemaVersion: SCHEMA_VERSION };
    for (const f of fields) {
      if (f === SCHEMA_FIELD) continue; // (every record has it, first)
      if (Object.hasOwn(full, f)) picked[f] = full[f];
      else {
        // a column of the flat formats only (moments' topTitle) is its cell in JSON too
        const column = sheet.columns.find((c) => c.key === f);
        if (column) picked[f] = column.value(r);
      }
    }
    return picked;
  };
  // a field that is a JSON key but not a declared column is a column of its JSON value
  const columns = fields.map(
    (f): Column<T> => (f === SCHEMA_FIELD ? { key: f, value: () => SCHEMA_VERSION } : (sheet.columns.find((c) => c.key === f) ?? { key: f, value: (r) => toCell(sheet.json(r)[f]) })),
  );
  return { ...sheet, json, columns, jsonMembers: undefined };
}

/** Every JSON record's first field, which --fields may name too (a CSV column of it, in JSON always there). */
export const SCHEMA_FIELD = 'schemaVersion';

/** The fields a sheet can be cut down to with --fields. */
export function fieldNames<T>(sheet: Sheet<T>, sample?: T): string[] {
  const keys = new Set([SCHEMA_FIELD, ...sheet.columns.map((c) => c.key), ...(sheet.keys ?? [])]);
  if (sample !== undefined) for (const k of Object.keys(sheet.json(sample))) keys.add(k);
  return [...keys];
}

export { FORMATS, type Format, type Listing, type RenderContext, type Sheet, type Writer } from './types.js';
