import type { FormatWriter } from '../types.js';

/** One JSON object per line; nothing at all when empty. */
export const ndjson: FormatWriter = (sheet) => ({
  head: () => '',
  row: (r) => {
    const members = sheet.jsonMembers?.(r);
    return members === undefined ? `${JSON.stringify(sheet.json(r))}\n` : `{${members}}\n`;
  },
  end: () => '',
});
