import type { ChalkInstance } from 'chalk';

export const FORMATS = ['table', 'json', 'ndjson', 'csv', 'tsv', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export type Cell = string | number | boolean | null;

/** A column of the flat formats (csv, tsv, markdown). */
export interface Column<T> {
  key: string;
  value: (row: T) => Cell;
}

/** What a listing command hands to the renderers: its rows, their JSON form, their flat form, their table. */
export interface Listing<T> {
  rows: T[];
  /** The documented JSON record of a row (the contract). */
  json: (row: T) => unknown;
  columns: Column<T>[];
  /** The human table (may change between versions). */
  table: (rows: T[], ctx: RenderContext) => string;
}

export interface RenderContext {
  chalk: ChalkInstance;
  color: boolean;
  /** Terminal width to fit tables into. */
  width: number;
  /** stdout is a terminal: hints for people may go under a table (never into a pipe). */
  tty?: boolean;
  verbose: boolean;
  /** Evaluation time, for "2h ago". */
  now: number;
  /** --fields: only these fields (JSON keys, CSV columns), in this order; null for all. */
  fields?: string[] | null;
  /** --no-headers: no header line in CSV, TSV and Markdown. */
  headers?: boolean;
}

export type Renderer = <T>(listing: Listing<T>, ctx: RenderContext) => string;
