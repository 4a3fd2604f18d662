/** A user's file read as UTF-8 text, or refused in one line naming it and its encoding. */
import type { MomentscanError } from './errors.js';

/**
 * The file's bytes as text: UTF-8 (a byte-order mark is fine). UTF-16 (what Windows Notepad saves as
 * "Unicode"), binary data (a compressed or executable file given by mistake) and bytes that are not UTF-8 (a
 * Latin-1 "café") are refused in one line, rather than read as garbled text: an error quoting NUL-riddled
 * characters, or names silently changed. `what` names the file in the message ("the config file"); `error`
 * makes the typed error (its class sets the exit code).
 */
export function utf8FileText(bytes: Buffer, file: string, what: string, error: (message: string, hint: string) => MomentscanError): string {
  const text = bytes.toString('utf8');
  if (text.includes('\0') || hasUtf16Bom(bytes)) {
    if (looksUtf16(bytes)) throw error(`${file}: ${what} is UTF-16 text, momentscan reads UTF-8`, 'save it as UTF-8 (Notepad: Save as, Encoding UTF-8)');
    throw error(`${file}: ${what} is binary data, not text`, `check the path: ${what} is a UTF-8 text file (a compressed one is unpacked first)`);
  }
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

function hasUtf16Bom(bytes: Buffer): boolean {
  return bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
}

/**
 * UTF-16 rather than binary data: a byte-order mark, or (without one) text whose ASCII characters (a
 * config's keys, a CSV's commas, an OPML's tags) put a NUL in every other byte, on one side only, in the
 * first 4 KiB. A gzip archive or a program has its NULs anywhere.
 */
function looksUtf16(bytes: Buffer): boolean {
  if (hasUtf16Bom(bytes)) return true;
  const n = Math.min(bytes.length, 4096) & ~1;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  return (odd >= pairs * 0.3 && even <= odd / 20) || (even >= pairs * 0.3 && odd <= even / 20);
}
