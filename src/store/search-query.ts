/**
 * `items --search` queries, read once for both engines so they find the same items: words, "phrases",
 * OR, AND (implied between terms), NOT or -word, prefix*, parentheses. Punctuation inside a term (don't,
 * c++, @acme) separates words as the index does, so a term is a phrase of its words; FTS5's own syntax
 * (column:, NEAR, ^) is not offered, as PostgreSQL has none of it.
 */
import { UsageError } from '../core/errors.js';

type Term = { kind: 'term'; text: string; words: string[]; prefix: boolean };
type Token = Term | { kind: 'op'; op: 'OR' | 'AND' | 'NOT' } | { kind: '(' | ')' };

/** The words of a term, stripped of accents and lower-cased as the items' index is. */
export function searchWords(s: string): string[] {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]+/g, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

const HINT = 'use words, "quoted phrases", OR, NOT (or -word) and prefix*';

/** The query as terms and operators, AND made explicit; a UsageError saying what cannot be read. */
export function readSearch(query: string): Token[] {
  const fail = (why: string) => new UsageError(`--search: cannot read "${query}" as a search (${why})`, { hint: HINT });
  const out: Token[] = [];
  let expectOperand = true;
  let depth = 0;
  const operand = (text: string, quoted: boolean) => {
    const prefix = !quoted && text.endsWith('*');
    const body = prefix ? text.replace(/\*+$/, '') : text;
    const words = searchWords(body);
    if (words.length === 0) throw fail(`"${text}" has no word in it`);
    out.push({ kind: 'term', text: body, words, prefix });
  };
  for (const tok of query.match(/-?"[^"]*"|"|\(|\)|[^\s()"]+/g) ?? []) {
    if (tok === '"') throw fail('a " is not closed');
    // binary operators, as in FTS5: a query cannot start with one
    if (tok === 'OR' || tok === 'AND' || tok === 'NOT') {
      if (expectOperand) throw fail(`${tok} needs a term before it`);
      out.push({ kind: 'op', op: tok });
      expectOperand = true;
      continue;
    }
    if (tok === ')') {
      if (expectOperand || depth === 0) throw fail('a ) does not close a (');
      depth--;
      out.push({ kind: ')' });
      continue;
    }
    const negated = tok.length > 1 && tok.startsWith('-');
    if (negated && expectOperand) throw fail(`${tok} needs a term before it, as NOT does`);
    if (!expectOperand) out.push({ kind: 'op', op: negated ? 'NOT' : 'AND' });
    expectOperand = false;
    if (tok === '(') {
      depth++;
      out.push({ kind: '(' });
      expectOperand = true;
      continue;
    }
    const t = negated ? tok.slice(1) : tok;
    if (t.startsWith('"')) operand(t.slice(1, -1), true);
    else operand(t, false);
  }
  if (out.length === 0) throw fail('no word in it');
  if (expectOperand) throw fail('it ends with an operator');
  if (depth !== 0) throw fail('a ( is not closed');
  return out;
}

/** The query as an FTS5 MATCH text: each term a "phrase" its tokenizer splits as it split the items. */
export function toFts5Query(query: string): string {
  return readSearch(query)
    .map((t) => (t.kind === 'term' ? `"${t.text}"${t.prefix ? '*' : ''}` : t.kind === 'op' ? t.op : t.kind))
    .join(' ');
}

/** The query as a to_tsquery('simple', …) text. */
export function toTsquery(query: string): string {
  return readSearch(query)
    .map((t) => {
      if (t.kind === 'op') return t.op === 'OR' ? '|' : t.op === 'AND' ? '&' : '& !';
      if (t.kind !== 'term') return t.kind;
      const quoted = t.words.map((w) => `'${w}'`);
      return quoted.length === 1 ? `${quoted[0]}${t.prefix ? ':*' : ''}` : `(${quoted.join(' <-> ')}${t.prefix ? ':*' : ''})`;
    })
    .join(' ');
}
