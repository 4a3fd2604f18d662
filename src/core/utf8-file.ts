/** A user's file read as UTF-8 text, or refused in one line naming it and its encoding. */
import type { MomentscanError } from './errors.js';

/**
 * The file's bytes as text: UTF-8 (a byte-order mark is fine). UTF-16 (what Windows Notepad saves as
 * "Unicode") and bytes that are not UTF-8 (a Latin-1 "café") are refused in one line, rather than read
 * as garbled text: an error quoting NUL-riddled characters, or names silently changed. `what` names the
 * file in the message ("the config file"); `error` makes the typed error (its class sets the exit code).
 */
export function utf8FileText(bytes: Buffer, file: string, what: string, error: (message: string, hint: string) => MomentscanError): string {
  const text = bytes.toString('utf8');
  const bom16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (bom16 || text.includes('\0')) throw error(`${file}: ${what} is UTF-16 text, momentscan reads UTF-8`, 'save it as UTF-8 (Notepad: Save as, Encoding UTF-8)');
  // U+FFFD is where the decoder met a byte that is not UTF-8 (or the file holds that character itself)
  if (text.includes('\uFFFD')) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      const line = text.slice(0, text.indexOf('\uFFFD')).split('\n').length;
      throw error(`${file}: line ${line} is not UTF-8 text`, `save ${what} as UTF-8`);
    }
  }
  return text;
}
