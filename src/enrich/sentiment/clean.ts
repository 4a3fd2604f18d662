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
/** A mention's name after "@" (sticky), and one character of it. */
const MENTION_NAME = /[\p{L}\p{N}_]+/uy;
const NAME_CHAR = /[\p{L}\p{N}_]/u;
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
  if (t.includes('@')) t = dropMentions(t);
  t = stripControl(t); // (returns the text itself when there is nothing to strip)
  if (hasPublisherSeparator(t)) {
    const m = PUBLISHER.exec(t);
    // keep at least a few words of headline in front of it
    if (m && m.index > 0 && /\S+\s+\S+/.test(t.slice(0, m.index))) t = t.slice(0, m.index);
  }
  return t;
}

/**
 * Replaces each @mention (an "@" not right after a letter, digit or "_", then a name of those) by a
 * space: what `t.replace(/(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_]+/gu, '$1 ')` does, in a fraction of its
 * time (tweets are full of them).
 */
function dropMentions(t: string): string {
  let out = '';
  let from = 0;
  let k = t.indexOf('@');
  while (k >= 0) {
    if (k === 0 || !nameCharBefore(t, k)) {
      MENTION_NAME.lastIndex = k + 1;
      if (MENTION_NAME.test(t)) {
        out += `${t.slice(from, k)} `;
        from = MENTION_NAME.lastIndex;
        k = t.indexOf('@', from);
        continue;
      }
    }
    k = t.indexOf('@', k + 1);
  }
  return from === 0 ? t : out + t.slice(from);
}

/** Whether the character ending at k − 1 (a whole surrogate pair) is a letter, a digit or "_". */
function nameCharBefore(t: string, k: number): boolean {
  const c = t.charCodeAt(k - 1);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  if (c >= 0xdc00 && c <= 0xdfff && k >= 2) {
    const high = t.charCodeAt(k - 2);
    if (high >= 0xd800 && high <= 0xdbff) return NAME_CHAR.test(t.slice(k - 2, k));
  }
  return NAME_CHAR.test(t[k - 1]!);
}
