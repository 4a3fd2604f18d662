import type { FormatWriter, RenderContext, Sheet, Writer } from '../types.js';

/** The sheet's own human table: the one format that collects its rows, to size its columns. */
export const table: FormatWriter = <T>(sheet: Sheet<T>, ctx: RenderContext): Writer<T> => {
  const rows: T[] = [];
  return {
    head: () => '',
    row: (r) => {
      rows.push(r);
      return '';
    },
    end: () => sheet.table(rows, ctx),
  };
};
