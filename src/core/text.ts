/** Text helpers shared by the enrich and detect stages. */

// (The regexes of the functions called per word or per title are made once here: a regex literal in a function
// body is a new RegExp object each time it is evaluated, garbage for the young generation.)
const NON_ASCII = /[^\x00-\x7f]/;
const MARKS = /\p{M}+/gu;
const NON_LETTERS = /[^\p{L}]/gu;
const APOSTROPHES = /[\u2018\u2019\u02bc`]/g;
const WORD_TOKEN = /[\p{L}\p{N}]+(?:['\-][\p{L}\p{N}]+)*/gu;

/** Lower-cases and strips accents so "Café" matches "cafe". */
export function foldText(text: string): string {
  // most feed text is ASCII: skip the Unicode work when there is nothing to fold
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/**
 * A test of one BMP code unit against a one-character class such as /^\p{L}$/u, answered from a table
 * filled as code units are first seen: per character, a Unicode property regex costs far more.
 */
export function unitClass(oneChar: RegExp): (unit: number) => boolean {
  // per code unit: 0 not yet known, 1 in the class, 2 not
  const table = new Uint8Array(0x10000);
  return (unit) => {
    let k = table[unit]!;
    if (k === 0) table[unit] = k = oneChar.test(String.fromCharCode(unit)) ? 1 : 2;
    return k === 1;
  };
}

/** Is this BMP code unit a letter (\p{L})? */
export const isLetterUnit = unitClass(/^\p{L}$/u);

/** How many letters (\p{L}) the text has: what says whether it is long enough to tell its language. */
export function countLetters(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if ((c | 32) >= 97 && (c | 32) <= 122) n++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) return text.replace(NON_LETTERS, '').length;
    if (isLetterUnit(c)) n++;
  }
  return n;
}

/** Lower-cased word tokens; curly apostrophes normalised; "n't" and hyphenated words kept whole. */
export function tokenize(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(APOSTROPHES, "'")
      .match(WORD_TOKEN) ?? []
  );
}

/**
 * What stands between a headline and its publisher's name: "Headline - Outlet", " – ", " — ", " | ".
 * Who strips the name (with what rule) is up to its reader: parse/ when it is the feed's known source,
 * enrich/stories.ts for clustering, enrich/sentiment/clean.ts before scoring.
 */
export const PUBLISHER_SEPARATORS: readonly string[] = [' - ', ' \u2013 ', ' \u2014 ', ' | '];

/** Any of PUBLISHER_SEPARATORS: one scan of the text instead of one per separator. */
const PUBLISHER_SEPARATOR = / [-\u2013\u2014|] /;

/** Does the text have a publisher separator anywhere? (a cheap test before a rule that strips one) */
export function hasPublisherSeparator(text: string): boolean {
  return PUBLISHER_SEPARATOR.test(text);
}

/** Any character stripEscapes or stripControl would touch. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Whether stripEscapes or stripControl would change the text (a cheap test first, for text that is nearly always clean). */
export function hasControl(text: string): boolean {
  return CONTROL.test(text);
}

/**
 * Removes terminal escape sequences (CSI, OSC...) and control characters from text from outside (feeds,
 * input files, servers, config files), keeping line breaks and tabs: for CSV cells, which quote them.
 */
export function stripEscapes(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, '') // OSC ... BEL / ST
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '') // CSI
    .replace(/\x1b[@-_]/g, '') // other two-byte escapes
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

/** Removes control characters and terminal escape sequences (CSI, OSC...) from feed text; line breaks and tabs become spaces. */
export function stripControl(text: string): string {
  if (!CONTROL.test(text)) return text;
  return stripEscapes(text).replace(/[\t\n\r]+/g, ' ');
}

/** A likely typo of `b` for `a` (case-insensitive): a prefix of it, or at most two edits away. For "did you mean". */
export function closeEnough(a: string, b: string): boolean {
  if (b === '') return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y || (y.length >= 3 && (x.startsWith(y) || y.startsWith(x)))) return true;
  return editDistance(x, y) <= 2;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** A word as typed in a shell: quoted when it holds anything but plain characters. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./~-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
