import type { FormatWriter } from '../types.js';

/** A JSON array (`[]` when empty), pretty-printed, newline-terminated, written a record at a time. */
export const json: FormatWriter = (sheet) => {
  let first = true;
  return {
    head: () => '[',
    row: (r) => {
      const text = `${first ? '\n  ' : ',\n  '}${JSON.stringify(sheet.json(r), null, 2).replace(/\n/g, '\n  ')}`;
      first = false;
      return text;
    },
    end: () => (first ? ']\n' : '\n]\n'),
  };
};
