/**
 * The topic query language: `"acme robotics" OR (acme robot*) -"acme markets"`.
 *
 * - words and `"quoted phrases"` (straight or curly quotes); a word ending in `*` matches word starts;
 * - juxtaposition is AND (the keyword `AND` is accepted too); `OR` or `|` binds looser than AND;
 * - `NOT x` or `-x` excludes a word, a phrase or a parenthesised group;
 * - only upper-case `OR`, `AND`, `NOT` are operators: `or`, `and`, `not` are plain words;
 * - every OR alternative must contain something to look for: a query that only excludes is an error.
 *
 * Pure: parsing, canonical formatting and search-engine strings. Matching is in src/enrich/query-match.ts.
 */

export type QueryNode =
  /** `text` as written (trimmed, without the quotes or the `*`); `phrase`: it was quoted; `prefix`: it ended with `*`. */
  | { type: 'term'; text: string; phrase: boolean; prefix: boolean }
  | { type: 'and'; children: QueryNode[] }
  | { type: 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode };

/**
 * A query that cannot be parsed. `position` is the 0-based offset (a JavaScript string index) of the offending
 * character in the query text; `reason` says what is wrong; the message is the reason and the column (1-based).
 */
/** The deepest nesting of parentheses in a query (the parser recurses per level). */
export const MAX_QUERY_DEPTH = 100;

export class QuerySyntaxError extends Error {
  readonly position: number;
  readonly reason: string;
  constructor(position: number, reason: string) {
    super(`${reason} (at column ${position + 1})`);
    this.name = 'QuerySyntaxError';
    this.position = position;
    this.reason = reason;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Lexer

type Token =
  | { kind: 'term'; pos: number; text: string; phrase: boolean; prefix: boolean }
  | { kind: 'or' | 'and' | 'not' | 'lparen' | 'rparen'; pos: number; raw: string }
  | { kind: 'eof'; pos: number; raw: '' };

const QUOTES = '"\u201c\u201d\u201e'; // " “ ” „
const WORD_END = /[\s()|"\u201c\u201d\u201e]/u;
const HAS_WORD = /[\p{L}\p{N}]/u;

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/u.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', pos: i, raw: c });
      i++;
    } else if (c === '|') {
      tokens.push({ kind: 'or', pos: i, raw: '|' });
      i++;
    } else if (QUOTES.includes(c)) {
      let end = i + 1;
      while (end < text.length && !QUOTES.includes(text[end]!)) end++;
      if (end >= text.length) throw new QuerySyntaxError(i, 'unclosed quote: a phrase needs a closing "');
      const inner = text.slice(i + 1, end).trim();
      if (inner === '') throw new QuerySyntaxError(i, 'empty phrase ""');
      if (!HAS_WORD.test(inner)) throw new QuerySyntaxError(i, `phrase "${inner}" has no letters or digits to match`);
      tokens.push({ kind: 'term', pos: i, text: inner, phrase: true, prefix: false });
      i = end + 1;
    } else if (c === '-') {
      // a `-` at the start of a token negates; inside a word (e-mail) it is part of the word
      const next = text[i + 1];
      if (next === undefined || /\s/u.test(next) || next === ')' || next === '|') {
        throw new QuerySyntaxError(i, `'-' must be followed directly by what it excludes (-word, -"phrase" or -(group))`);
      }
      tokens.push({ kind: 'not', pos: i, raw: '-' });
      i++;
    } else {
      let end = i;
      while (end < text.length && !WORD_END.test(text[end]!)) end++;
      const raw = text.slice(i, end);
      if (raw === 'OR' || raw === 'AND' || raw === 'NOT') {
        tokens.push({ kind: raw === 'OR' ? 'or' : raw === 'AND' ? 'and' : 'not', pos: i, raw });
      } else {
        const prefix = raw.endsWith('*');
        const body = prefix ? raw.slice(0, -1) : raw;
        const star = body.indexOf('*');
        if (star >= 0) throw new QuerySyntaxError(i + star, `'*' is only allowed at the end of a word, as in robot*`);
        if (body === '') throw new QuerySyntaxError(i, `'*' must end a word, as in robot*; it cannot stand alone`);
        if (!HAS_WORD.test(body)) throw new QuerySyntaxError(i, `'${body}' has no letters or digits to match`);
        tokens.push({ kind: 'term', pos: i, text: body, phrase: false, prefix });
      }
      i = end;
    }
  }
  tokens.push({ kind: 'eof', pos: text.length, raw: '' });
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser
//
//   query := or EOF
//   or    := and (('OR' | '|') and)*
//   and   := unary ('AND'? unary)*
//   unary := ('NOT' | '-') primary | primary
//   primary := WORD | PHRASE | '(' or ')'

function describe(t: Token): string {
  if (t.kind === 'term') return t.phrase ? `"${t.text}"` : t.text;
  if (t.kind === 'eof') return 'the end of the query';
  return `'${t.raw}'`;
}

/** An operator as written: OR, AND, NOT bare; symbols quoted ('|', '-', '(', ')'). */
function opName(t: Token): string {
  if (t.kind === 'term' || t.kind === 'eof') return describe(t);
  return /^[A-Z]+$/.test(t.raw) ? t.raw : `'${t.raw}'`;
}

class Parser {
  private i = 0;
  /** Where each node starts in the text, for the errors raised after parsing. */
  readonly starts = new WeakMap<QueryNode, number>();
  constructor(private readonly tokens: Token[]) {}

  /** Parentheses open around the current position. */
  private depth = 0;

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private mark<T extends QueryNode>(node: T, pos: number): T {
    if (!this.starts.has(node)) this.starts.set(node, pos);
    return node;
  }

  parse(): QueryNode {
    const node = this.parseOr(null);
    const t = this.peek();
    if (t.kind === 'rparen') throw new QuerySyntaxError(t.pos, `unmatched ')': there is no '(' before it`);
    if (t.kind !== 'eof') throw new QuerySyntaxError(t.pos, `unexpected ${describe(t)}`); // not reachable
    return node;
  }

  /** `prev`: the token before this operand (an operator, '(' or null at the start), for the error messages. */
  private parseOr(prev: Token | null): QueryNode {
    const start = this.peek().pos;
    const children = [this.parseAnd(prev)];
    while (this.peek().kind === 'or') {
      const op = this.next();
      children.push(this.parseAnd(op));
    }
    return this.mark(group('or', children), start);
  }

  private parseAnd(prev: Token | null): QueryNode {
    const start = this.peek().pos;
    const children = [this.parseUnary(prev)];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'and') {
        this.next();
        children.push(this.parseUnary(t));
      } else if (t.kind === 'term' || t.kind === 'lparen' || t.kind === 'not') {
        children.push(this.parseUnary(null));
      } else {
        break;
      }
    }
    return this.mark(group('and', children), start);
  }

  private parseUnary(prev: Token | null): QueryNode {
    const t = this.peek();
    if (t.kind !== 'not') return this.parsePrimary(prev);
    this.next();
    const after = this.peek();
    if (after.kind === 'not') throw new QuerySyntaxError(after.pos, `${opName(after)} right after ${opName(t)}: a negation cannot be negated`);
    return this.mark({ type: 'not', child: this.parsePrimary(t) }, t.pos);
  }

  private parsePrimary(prev: Token | null): QueryNode {
    const t = this.peek();
    if (t.kind === 'term') {
      this.next();
      return this.mark({ type: 'term', text: t.text, phrase: t.phrase, prefix: t.prefix }, t.pos);
    }
    if (t.kind === 'lparen') {
      this.next();
      if (++this.depth > MAX_QUERY_DEPTH) throw new QuerySyntaxError(t.pos, `groups nested more than ${MAX_QUERY_DEPTH} deep`);
      const inner = this.parseOr(t);
      this.depth--;
      const close = this.peek();
      if (close.kind !== 'rparen') throw new QuerySyntaxError(t.pos, `unclosed '(': a ')' is missing`);
      this.next();
      this.starts.set(inner, t.pos); // a group starts at its '('
      return inner;
    }
    throw this.missingOperand(prev, t);
  }

  /** The error for an operand that is missing before `found` (which is not a term, '(' or NOT). */
  private missingOperand(prev: Token | null, found: Token): QuerySyntaxError {
    if (prev === null) {
      if (found.kind === 'eof') return new QuerySyntaxError(found.pos, 'empty query');
      if (found.kind === 'rparen') return new QuerySyntaxError(found.pos, `unmatched ')': there is no '(' before it`);
      return new QuerySyntaxError(found.pos, `the query cannot start with ${opName(found)}: it needs a term before it`);
    }
    if (prev.kind === 'lparen') {
      if (found.kind === 'rparen') return new QuerySyntaxError(prev.pos, 'empty parentheses ()');
      if (found.kind === 'eof') return new QuerySyntaxError(prev.pos, `unclosed '(': a ')' is missing`);
      return new QuerySyntaxError(found.pos, `${opName(found)} right after '(': it needs a term before it`);
    }
    // prev is OR, AND or NOT/-
    const what = prev.kind === 'not' ? 'a term, phrase or group' : 'a term';
    if (found.kind === 'eof') return new QuerySyntaxError(prev.pos, `${opName(prev)} at the end of the query: it needs ${what} after it`);
    if (found.kind === 'rparen') return new QuerySyntaxError(prev.pos, `${opName(prev)} before ')': it needs ${what} after it`);
    return new QuerySyntaxError(found.pos, `${opName(found)} right after ${opName(prev)}: expected ${what} between them`);
  }
}

/** An AND or OR of the children, nested nodes of the same type flattened, a single child returned as is. */
function group(type: 'and' | 'or', children: QueryNode[]): QueryNode {
  const flat: QueryNode[] = [];
  for (const c of children) {
    if (c.type === type) flat.push(...c.children);
    else flat.push(c);
  }
  return flat.length === 1 ? flat[0]! : { type, children: flat };
}

/** Does the node look for something (rather than only exclude)? */
function isPositive(node: QueryNode): boolean {
  switch (node.type) {
    case 'term':
      return true;
    case 'not':
      return false;
    case 'and':
      return node.children.some(isPositive);
    case 'or':
      return node.children.every(isPositive);
  }
}

/** Throws when some OR alternative of the query only excludes. */
function checkPositive(root: QueryNode, starts: WeakMap<QueryNode, number>): void {
  const visit = (node: QueryNode): void => {
    if (node.type === 'or') {
      node.children.forEach(visit);
    } else if (!isPositive(node)) {
      const pos = starts.get(node) ?? 0;
      if (node === root) throw new QuerySyntaxError(pos, 'the query only excludes (NOT/-): it needs at least one term to look for');
      throw new QuerySyntaxError(pos, 'this OR alternative only excludes (NOT/-): every alternative needs at least one term to look for');
    }
  };
  visit(root);
}

/** Parses a topic query. Throws QuerySyntaxError with the position and the reason. */
export function parseQuery(text: string): QueryNode {
  if (text.trim() === '') throw new QuerySyntaxError(0, 'empty query');
  const parser = new Parser(lex(text));
  const root = parser.parse();
  checkPositive(root, parser.starts);
  return root;
}

/**
 * The query equivalent to a keyword list: any of the keywords (each one a phrase), and, when `exclude`
 * is given, none of those. Keywords without letters or digits are left out (they cannot match anything).
 */
export function keywordsToQuery(keywords: string[], exclude: string[] = []): QueryNode {
  const phrases = (list: string[]): QueryNode[] =>
    list
      .map((k) => k.replace(/["\u201c\u201d\u201e]/gu, ' ').trim())
      .filter((k) => HAS_WORD.test(k))
      .map((text): QueryNode => ({ type: 'term', text, phrase: true, prefix: false }));
  const include = phrases(keywords);
  if (include.length === 0) throw new QuerySyntaxError(0, 'no keyword with letters or digits to look for');
  const any = group('or', include);
  const none = phrases(exclude);
  return none.length === 0 ? any : group('and', [any, { type: 'not', child: group('or', none) }]);
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

const OPERATOR_WORDS = new Set(['OR', 'AND', 'NOT']);

/** Text that the lexer reads back as one word term (given that the word is not an operator). */
function isBareWord(text: string): boolean {
  return text !== '' && !WORD_END.test(text) && !text.includes('*') && !text.startsWith('-');
}

function quote(text: string): string {
  return `"${text.replace(/["\u201c\u201d\u201e]/gu, ' ').trim()}"`;
}

/** A term as the query language writes it. A prefix term that needs quoting loses its `*` (phrases cannot be prefixes). */
function formatTerm(t: Extract<QueryNode, { type: 'term' }>): string {
  if (!t.phrase && isBareWord(t.text)) {
    const word = t.prefix ? `${t.text}*` : t.text;
    if (!OPERATOR_WORDS.has(word)) return word;
  }
  return quote(t.text);
}

/** The canonical text of a query: `parseQuery(formatQuery(q))` gives back q (flattened). */
export function formatQuery(node: QueryNode): string {
  switch (node.type) {
    case 'term':
      return formatTerm(node);
    case 'not':
      return node.child.type === 'term' ? `-${formatTerm(node.child)}` : `-(${formatQuery(node.child)})`;
    case 'and':
      return node.children.map((c) => (c.type === 'or' ? `(${formatQuery(c)})` : formatQuery(c))).join(' ');
    case 'or':
      return node.children.map(formatQuery).join(' OR ');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Search strings for search feeds

/** A search string and what it is at its top: a single term or negation (null), or an AND or an OR of several. */
interface Rendered {
  text: string;
  top: 'and' | 'or' | null;
}

/** Google-style: null when the node cannot be expressed and is best left out (the search then finds more, never less). */
function googleString(node: QueryNode): Rendered | null {
  switch (node.type) {
    case 'term':
      return { text: formatTerm(node), top: null };
    case 'not': {
      const parts = negations(node.child);
      return parts.length === 0 ? null : { text: parts.join(' '), top: parts.length > 1 ? 'and' : null };
    }
    case 'and': {
      const parts: string[] = [];
      for (const c of node.children) {
        const r = googleString(c);
        if (r !== null) parts.push(r.top === 'or' ? `(${r.text})` : r.text);
      }
      if (parts.length === 0) return null;
      return { text: parts.join(' '), top: parts.length > 1 ? 'and' : null };
    }
    case 'or': {
      // engines do not understand an alternative that only excludes: leave the whole OR out
      if (!node.children.every(isPositive)) return null;
      const parts: string[] = [];
      for (const c of node.children) {
        const r = googleString(c);
        if (r === null) return null;
        // Google reads `a OR b c` as `(a OR b) c`: group every AND inside an OR
        parts.push(r.top === null ? r.text : `(${r.text})`);
      }
      return { text: parts.join(' OR '), top: 'or' };
    }
  }
}

/** `-x` parts equivalent to NOT node, or fewer (NOT (a b) cannot be written: left out). */
function negations(node: QueryNode): string[] {
  if (node.type === 'term') return [`-${formatTerm(node)}`];
  if (node.type === 'or') return node.children.flatMap(negations);
  return [];
}

/**
 * What hnrss.org (Hacker News) can be asked: a search string without ` OR ` is looked for as one exact phrase
 * (hnrss wraps it in quotes for Algolia); with ` OR `, every word of it is an alternative (any of them). So a
 * node becomes alternatives, each a phrase (its words) that every item matching that part contains, or null
 * when any item may match (a NOT): an AND keeps its child with the fewest alternatives, an OR all of its
 * children's. Always a superset of the query, never less.
 */
function hnAlternatives(node: QueryNode): string[][] | null {
  switch (node.type) {
    case 'term': {
      const words = node.text.replace(/["\u201c\u201d\u201e*]/gu, ' ').split(/\s+/u).filter((w) => w !== '');
      return words.length === 0 ? null : [words];
    }
    case 'not':
      return null;
    case 'or': {
      const all: string[][] = [];
      for (const c of node.children) {
        const alts = hnAlternatives(c);
        if (alts === null) return null;
        all.push(...alts);
      }
      return all;
    }
    case 'and': {
      let best: string[][] | null = null;
      for (const c of node.children) {
        const alts = hnAlternatives(c);
        if (alts !== null && (best === null || alts.length < best.length)) best = alts;
      }
      return best;
    }
  }
}

/**
 * hnrss's search string: one phrase, or (several alternatives) a word of each joined by ` OR ` — a word that is an
 * alternative by itself where the phrase has one (`acme` OR `acme robotics` is acme), else its longest.
 */
function simpleString(node: QueryNode): string {
  const alts = hnAlternatives(node);
  if (alts === null) return '';
  if (alts.length === 1) return alts[0]!.join(' ');
  const single = new Set(alts.filter((phrase) => phrase.length === 1).map((phrase) => phrase[0]!.toLowerCase()));
  const pick = (phrase: string[]) => phrase.find((w) => single.has(w.toLowerCase())) ?? phrase.reduce((a, b) => (b.length > a.length ? b : a));
  const words = [...new Map(alts.map((phrase) => pick(phrase)).map((w) => [w.toLowerCase(), w])).values()];
  return words.join(' OR ');
}

/**
 * The query for a search feed's URL.
 * - `google` (Google News, Bing, Reddit): phrases quoted, AND as a space, `OR`, `-word` / `-"phrase"`,
 *   parentheses around every OR inside an AND and every AND inside an OR, `*` kept. What these engines cannot
 *   express (an OR alternative that only excludes, NOT of an AND) is left out, so the search finds more, never less.
 * - `simple` (hnrss.org's Hacker News search): one phrase without quotes (hnrss looks for it exactly), or for a
 *   query with alternatives one word of each joined by ` OR ` (hnrss: any of the words); no `*`, no exclusions.
 * Either way the items found are filtered by the full query afterwards.
 */
export function searchString(node: QueryNode, dialect: 'google' | 'simple'): string {
  return dialect === 'google' ? (googleString(node)?.text ?? '') : simpleString(node);
}
