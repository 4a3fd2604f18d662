import type { FormatWriter } from '../types.js';

/** A JSON array (`[]` when empty), pretty-printed, newline-terminated, written a record at a time. */
export const json: FormatWriter = (sheet) => {
  let first = true;
  return {
    head: () => '[',
    row: (r) => {
      // the record as an element of a pretty-printed array: indented as JSON.stringify(rows, null, 2) would
      const element = JSON.stringify([sheet.json(r)], null, 2).slice(4, -2);
      const text = `${first ? '\n  ' : ',\n  '}${element}`;
      first = false;
      return text;
    },
    end: () => (first ? ']\n' : '\n]\n'),
  };
};
