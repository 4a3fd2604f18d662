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

export function render<T>(format: Format, listing: Listing<T>, ctx: RenderContext): string {
  return RENDERERS[format](listing, ctx);
}

export { FORMATS, type Format, type Listing, type RenderContext } from './types.js';
