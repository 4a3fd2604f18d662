import type { ChalkInstance } from 'chalk';

export const FORMATS = ['table', 'json', 'ndjson', 'csv', 'tsv', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export type Cell = string | number | boolean | null;

/** A column of the flat formats (csv, tsv, markdown). */
export interface Column<T> {
  key: string;
  value: (row: T) => Cell;
}

/**
 * What a listing declares once, whatever the format: the documented JSON record of a row (the contract),
 * the columns of the flat formats (csv, tsv, markdown), and the human table (it may change between versions).
 */
export interface Sheet<T> {
  json: (row: T) => Record<string, unknown>;
  columns: Column<T>[];
  table: (rows: T[], ctx: RenderContext) => string;
  /** Every JSON key --fields may name, when the rows are not at hand to tell (streams). */
  keys?: string[];
  /** --fields may name keys not declared (records that carry their input's own fields). */
  open?: boolean;
  /**
   * The members of a row's JSON record as JSON.stringify(json(row)) writes them, without the braces, or
   * undefined for that: for sheets whose rows stream by the hundred thousand, where building the record
   * and stringifying it cost more than the row's own work (`momentscan sentiment`). Not used with --fields.
   */
  jsonMembers?: (row: T) => string | undefined;
}

/** A sheet and its rows, rendered whole. */
export interface Listing<T> extends Sheet<T> {
  rows: T[];
}

/** A format's writer: text before the rows, each row's text, text after them. Only the table collects. */
export interface Writer<T> {
  head(): string;
  row(row: T): string;
  end(): string;
}

/** What a format's file exports: a writer for a sheet (its JSON records already with schemaVersion and cut to --fields). */
export type FormatWriter = <T>(sheet: Sheet<T>, ctx: RenderContext) => Writer<T>;

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
  /** The team's zone the tables' times are shown in (defaults.timeZone, --tz); absent: UTC. Machine formats stay UTC. */
  timeZone?: string;
}
