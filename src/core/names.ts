/** Company names compared as whole words: accents, case, punctuation and legal forms set aside. */

/** Legal-form words dropped from the end of a name: "Acme Inc.", "Globex GmbH", "Initech B.V.". */
const LEGAL_SUFFIXES = new Set(
  (
    'inc incorporated corp corporation co company cos ltd limited llc llp lp plc gmbh mbh ag kg kgaa se sa sas sarl sl ' +
    'spa srl bv nv vof ab asa as oy oyj aps kk pty pte bhd sdn sro zrt kft doo group holding holdings'
  ).split(' '),
);

/** Word tokens of a text as written (accents stripped, dots inside abbreviations dropped: "B.V." is "BV"). */
export function wordTokens(text: string): string[] {
  return wordsOf(text).words;
}

/**
 * Word tokens as written, and which of them start a sentence (the first word, or one after . ! ? : or a
 * line break): there a capital letter says nothing about a name.
 */
export function wordsOf(text: string): { words: string[]; starts: boolean[] } {
  const plain = (/[^\x00-\x7f]/.test(text) ? text.normalize('NFKD').replace(/\p{M}+/gu, '') : text).replace(/(?<=\p{L})\.(?=\p{L})/gu, '');
  const words: string[] = [];
  const starts: boolean[] = [];
  let last = 0;
  for (const m of plain.matchAll(/[\p{L}\p{N}]+/gu)) {
    const between = plain.slice(last, m.index);
    starts.push(words.length === 0 || /[.!?:\n]/.test(between));
    words.push(m[0]);
    last = m.index + m[0].length;
  }
  return { words, starts };
}

/** A name's comparable form: lower-case whole words, legal suffixes dropped ("Acme, Inc." → "acme"). */
export function normalizeName(name: string): string {
  const tokens = wordTokens(name).map((t) => t.toLowerCase());
  while (tokens.length > 1 && LEGAL_SUFFIXES.has(tokens[tokens.length - 1]!)) tokens.pop();
  return tokens.join(' ');
}
