/**
 * Turns a feed's raw bytes into text. The charset comes from, in order: a byte-order mark, the
 * Content-Type header, the XML prolog (`<?xml ... encoding="..."?>`), else UTF-8 — with the usual
 * real-world corrections for servers that declare one charset and send another.
 */
import { TextDecoder } from 'node:util';

export interface DecodedBody {
  text: string;
  /** The WHATWG name of the encoding used: "utf-8", "windows-1252", "utf-16le"... */
  charset: string;
}

const UTF8 = 'utf-8';

/** A TextDecoder for `label`, or null when the label is unknown. */
function decoderFor(label: string): TextDecoder | null {
  try {
    return new TextDecoder(label.trim());
  } catch {
    return null;
  }
}

function bomEncoding(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** Two ASCII characters (`<?`, `<r`, `{"`...) encoded as UTF-16 without a BOM. */
function utf16Pattern(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes.length < 4) return null;
  const [a, b, c, d] = bytes;
  const ascii = (x: number | undefined): boolean => x !== undefined && x > 0 && x < 0x80;
  if (ascii(a) && b === 0 && ascii(c) && d === 0) return 'utf-16le';
  if (a === 0 && ascii(b) && c === 0 && ascii(d)) return 'utf-16be';
  return null;
}

/** The charset named in a Content-Type header, or null. */
export function headerCharset(contentType: string | null | undefined): string | null {
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType ?? '');
  const label = (m?.[1] ?? m?.[2] ?? '').trim();
  return label === '' ? null : label;
}

/** The encoding declared in the XML prolog, read from the first KiB as ASCII. */
function prologCharset(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString('latin1');
  const m = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return m?.[1] ?? null;
}

/** windows-1252 bytes 0x80–0x9F (the rest of the charset is latin-1). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeWith(bytes: Uint8Array, label: string): DecodedBody {
  const decoder = decoderFor(label) ?? new TextDecoder(UTF8);
  if (decoder.encoding === 'windows-1252') {
    // Node 20's TextDecoder takes a latin-1 fast path for windows-1252 and gets 0x80–0x9F wrong.
    const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    const text = latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
    return { text, charset: decoder.encoding };
  }
  return { text: decoder.decode(bytes), charset: decoder.encoding };
}

/** The canonical name for a label, or null if unknown. */
function canonical(label: string | null): string | null {
  return label === null ? null : (decoderFor(label)?.encoding ?? null);
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder(UTF8, { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function hasNonAscii(bytes: Uint8Array): boolean {
  return bytes.some((b) => b >= 0x80);
}

/**
 * Decodes a response body. Never throws: unknown charset labels fall back to UTF-8. A byte-order
 * mark is removed from the text.
 */
export function decodeBody(bytes: Uint8Array, contentType?: string | null): DecodedBody {
  const bom = bomEncoding(bytes);
  if (bom !== null) return decodeWith(bytes, bom);

  // UTF-16 without a BOM: whatever was declared, the byte pattern tells the byte order.
  const utf16 = utf16Pattern(bytes);
  if (utf16 !== null) return decodeWith(bytes, utf16);

  const fromHeader = canonical(headerCharset(contentType));

  // The first KiB reads as ASCII here, so a prolog claiming UTF-16 is stale (the body was transcoded).
  let fromProlog = canonical(prologCharset(bytes));
  if (fromProlog === 'utf-16le' || fromProlog === 'utf-16be') fromProlog = null;
  // Likewise a header claiming UTF-16 for bytes that are not.
  const headerUtf16 = fromHeader === 'utf-16le' || fromHeader === 'utf-16be';

  if (fromHeader !== null && !headerUtf16) {
    if (fromHeader === UTF8) {
      // A common misconfiguration: the server says UTF-8 by default, the document knows better.
      if (fromProlog !== null && fromProlog !== UTF8 && !isValidUtf8(bytes)) return decodeWith(bytes, fromProlog);
      return decodeWith(bytes, UTF8);
    }
    // The reverse: a legacy charset in the header, a UTF-8 prolog, and bytes that are valid UTF-8.
    if (fromProlog === UTF8 && hasNonAscii(bytes) && isValidUtf8(bytes)) return decodeWith(bytes, UTF8);
    return decodeWith(bytes, fromHeader);
  }

  if (fromProlog !== null) return decodeWith(bytes, fromProlog);

  // Nothing declared and not valid UTF-8: the web's most common legacy encoding is the best guess.
  return decodeWith(bytes, isValidUtf8(bytes) ? UTF8 : 'windows-1252');
}
