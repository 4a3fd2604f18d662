import { createRequire } from 'node:module';
import { hasPublisherSeparator, stripControl } from '../../core/text.js';

/**
 * Cleans feed text before scoring: HTML tags and comments, character entities, URLs, @mentions,
 * control characters, and a trailing publisher name (" - Reuters", " | BBC News"), which says who
 * wrote the headline and nothing about its tone. Everything is cheap when there is nothing to do.
 */

/** Longer input is scored on its first this-many characters (bounded time, same result for any length past it). */
export const MAX_CHARS = 100_000;

const TAG = /<!--[\s\S]*?-->|<\/?[a-zA-Z][^<>]*>/g;
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const MENTION = /(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_]+/gu;
/**
 * " - Reuters", " | BBC News", " — The New York Times", " - NU.nl": after the last dash or bar, one to
 * five capitalised words (connectors like "of", "the", "de" allowed), at the end of the text.
 */
const PUBLISHER =
  /\s+[-\u2013\u2014|]\s+(?:[\p{Lu}\p{N}][\p{L}\p{N}.&'\u2019!]*)(?:\s+(?:[\p{Lu}\p{N}&][\p{L}\p{N}.&'\u2019!]*|of|the|and|on|at|for|de|del|la|le|les|du|des|di|der|die|das|van|het|el|y|und)){0,4}\s*$/u;

const ENTITY = /&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);?/i;

let decodeHTML: ((text: string) => string) | undefined;
/** entities' decoder, loaded on the first text that has an entity (it adds ~20 ms to start-up). */
function decode(text: string): string {
  decodeHTML ??= (createRequire(import.meta.url)('entities/decode') as { decodeHTML: (text: string) => string }).decodeHTML;
  return decodeHTML(text);
}

export function cleanText(text: string): string {
  let t = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
  if (t.includes('<')) t = t.replace(TAG, ' ');
  if (t.includes('&') && ENTITY.test(t)) t = decode(t);
  if (t.includes('://') || t.includes('www.')) t = t.replace(URL, ' ');
  if (t.includes('@')) t = t.replace(MENTION, '$1 ');
  t = stripControl(t); // (returns the text itself when there is nothing to strip)
  if (hasPublisherSeparator(t)) {
    const m = PUBLISHER.exec(t);
    // keep at least a few words of headline in front of it
    if (m && m.index > 0 && /\S+\s+\S+/.test(t.slice(0, m.index))) t = t.slice(0, m.index);
  }
  return t;
}
