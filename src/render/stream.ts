import { neutralize } from './formats/csv.js';
import { stripControl } from '../core/text.js';
import { SCHEMA_VERSION } from './index.js';
import type { Cell } from './types.js';

/** Formats a stream of records row by row (commands that read millions of lines cannot collect them). */
export interface StreamFormatter {
  header(): string;
  row(record: Record<string, unknown>): string;
  footer(): string;
}

export type StreamFormat = 'ndjson' | 'json' | 'csv' | 'tsv' | 'markdown';

const cell = (v: unknown): Cell => (v === undefined ? null : Array.isArray(v) ? v.join('; ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as Cell));

/** A record as JSON with schemaVersion first: as JSON.stringify({ schemaVersion, ...r }), without copying r (rows by the million). */
function jsonRecord(r: Record<string, unknown>): string {
  const body = JSON.stringify(r);
  if (body === '{}' || Object.hasOwn(r, 'schemaVersion')) return JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...r });
  return `{"schemaVersion":${JSON.stringify(SCHEMA_VERSION)},${body.slice(1)}`;
}

/**
 * The machine formats of the listing commands, for streams: `fields` are the columns of the flat formats
 * (and, when given with --fields, the only JSON keys); JSON records carry schemaVersion.
 */
export function streamFormatter(format: StreamFormat, fields: string[], opts: { picked: boolean; headers: boolean }): StreamFormatter {
  const pick = (r: Record<string, unknown>) => (opts.picked ? Object.fromEntries(fields.filter((f) => f in r).map((f) => [f, r[f]])) : r);
  let first = true;
  switch (format) {
    case 'ndjson':
      return { header: () => '', row: (r) => `${jsonRecord(pick(r))}\n`, footer: () => '' };
    case 'json':
      return {
        header: () => '[',
        row: (r) => {
          const s = `${first ? '\n  ' : ',\n  '}${jsonRecord(pick(r))}`;
          first = false;
          return s;
        },
        footer: () => (first ? ']\n' : '\n]\n'),
      };
    case 'csv': {
      const q = (v: unknown) => {
        const s = neutralize(cell(v));
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      };
      return { header: () => (opts.headers ? `${fields.join(',')}\r\n` : ''), row: (r) => `${fields.map((f) => q(r[f])).join(',')}\r\n`, footer: () => '' };
    }
    case 'tsv': {
      const t = (v: unknown) => neutralize(cell(v)).replace(/[\t\r\n]+/g, ' ');
      return { header: () => (opts.headers ? `${fields.join('\t')}\n` : ''), row: (r) => `${fields.map((f) => t(r[f])).join('\t')}\n`, footer: () => '' };
    }
    case 'markdown': {
      const m = (v: unknown) => {
        const c = cell(v);
        return c === null ? '' : stripControl(String(c)).replace(/\|/g, '\\|');
      };
      return {
        header: () => (opts.headers ? `| ${fields.join(' | ')} |\n| ${fields.map(() => '---').join(' | ')} |\n` : ''),
        row: (r) => `| ${fields.map((f) => m(r[f])).join(' | ')} |\n`,
        footer: () => '',
      };
    }
  }
}
