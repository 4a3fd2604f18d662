import { describeValue, type SourceDefinition, type SourceEntryError } from './kind.js';

/** The scheme of an ndjson source's id: `ndjson:` and the file's absolute path. */
export const SCHEME = 'ndjson:';

function checkPath(raw: unknown): string | SourceEntryError {
  if (typeof raw !== 'string' || raw.trim() === '' || raw.includes('\0')) return { error: `expected the path of a file of items, got ${describeValue(raw)}` };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim())) return { error: `expected a local path, got the URL ${JSON.stringify(raw.trim())}: an ndjson source reads a file (a feed URL is an rss source)` };
  return raw.trim();
}

/**
 * A file of items, one JSON object a line (what a script, an export from another listening tool or
 * a CRM's activity log can write): not a feed, read by the source itself. Fields, best first: `id` or
 * `guid`; `title`; `url` or `link`; `summary`, `text` or `content`; `author`; `date`, `published`,
 * `published_at` or `created_at`; `source` and `source_url` (the outlet). Read by ingest/sources/ndjson.ts.
 */
export const ndjson: SourceDefinition<'ndjson'> = {
  kind: 'ndjson',
  type: 'web',
  options: { path: checkPath },
  shorthand: 'path',
  searches: false,
  missing: (spec) => (spec.path === undefined ? 'expected the file: write { ndjson: ./items.ndjson }' : null),
  recognizes: (url) => url.protocol === SCHEME,
  feedUrl: (spec, p) => SCHEME + p.file(p.checked('path', checkPath, spec.path)),
  readsItems: true,
};
