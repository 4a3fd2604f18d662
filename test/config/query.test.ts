import { describe, expect, it } from 'vitest';
import { QuerySyntaxError, formatQuery, keywordsToQuery, parseQuery, searchString, type QueryNode } from '../../src/config/query.js';

const w = (text: string): QueryNode => ({ type: 'term', text, phrase: false, prefix: false });
const p = (text: string): QueryNode => ({ type: 'term', text, phrase: true, prefix: false });
const pre = (text: string): QueryNode => ({ type: 'term', text, phrase: false, prefix: true });
const and = (...children: QueryNode[]): QueryNode => ({ type: 'and', children });
const or = (...children: QueryNode[]): QueryNode => ({ type: 'or', children });
const not = (child: QueryNode): QueryNode => ({ type: 'not', child });

const TREES: [string, QueryNode][] = [
  ['acme', w('acme')],
  ['  Acme  ', w('Acme')],
  ['"acme robotics"', p('acme robotics')],
  ['"  acme  robotics "', p('acme  robotics')],
  ['\u201cacme robotics\u201d', p('acme robotics')],
  ['acme robotics', and(w('acme'), w('robotics'))],
  ['acme AND robotics', and(w('acme'), w('robotics'))],
  ['acme OR globex', or(w('acme'), w('globex'))],
  ['acme | globex', or(w('acme'), w('globex'))],
  ['acme|globex', or(w('acme'), w('globex'))],
  // precedence: AND binds tighter than OR
  ['a b OR c', or(and(w('a'), w('b')), w('c'))],
  ['a OR b c', or(w('a'), and(w('b'), w('c')))],
  ['a AND b OR c AND d', or(and(w('a'), w('b')), and(w('c'), w('d')))],
  ['a (b OR c)', and(w('a'), or(w('b'), w('c')))],
  ['(a OR b) (c OR d)', and(or(w('a'), w('b')), or(w('c'), w('d')))],
  // flattening
  ['a OR (b OR c)', or(w('a'), w('b'), w('c'))],
  ['(a OR b) OR c | d', or(w('a'), w('b'), w('c'), w('d'))],
  ['(a b) c', and(w('a'), w('b'), w('c'))],
  ['a AND (b (c d))', and(w('a'), w('b'), w('c'), w('d'))],
  ['((a))', w('a')],
  // prefix
  ['robot*', pre('robot')],
  ['robot* OR droid', or(pre('robot'), w('droid'))],
  ['acme-robot*', pre('acme-robot')],
  ['OR*', pre('OR')],
  // negation
  ['acme -markets', and(w('acme'), not(w('markets')))],
  ['acme NOT markets', and(w('acme'), not(w('markets')))],
  ['acme -"acme markets"', and(w('acme'), not(p('acme markets')))],
  ['acme NOT "acme markets"', and(w('acme'), not(p('acme markets')))],
  ['acme -(markets OR stores)', and(w('acme'), not(or(w('markets'), w('stores'))))],
  ['acme NOT (markets stores)', and(w('acme'), not(and(w('markets'), w('stores'))))],
  ['-markets acme', and(not(w('markets')), w('acme'))],
  ['"acme"-markets', and(p('acme'), not(w('markets')))],
  ['acme OR -markets globex', or(w('acme'), and(not(w('markets')), w('globex')))],
  ['acme (robots OR -markets)', and(w('acme'), or(w('robots'), not(w('markets'))))],
  ['acme -robot*', and(w('acme'), not(pre('robot')))],
  ['acme OR globex (-a OR -b)', or(w('acme'), and(w('globex'), or(not(w('a')), not(w('b')))))], // positive: globex
  // words, not operators
  ['e-mail', w('e-mail')],
  ['or and not', and(w('or'), w('and'), w('not'))],
  ['Or Not', and(w('Or'), w('Not'))],
  ['c++', w('c++')],
  ['zürich', w('zürich')],
  ['ORACLE ANDROID NOTION', and(w('ORACLE'), w('ANDROID'), w('NOTION'))],
];

describe('parseQuery', () => {
  it.each(TREES)('%j', (text, tree) => {
    expect(parseQuery(text)).toEqual(tree);
  });

  it.each([
    ['', 0, /^empty query$/],
    ['   ', 0, /^empty query$/],
    // parentheses
    ['(acme', 0, /^unclosed '\(': a '\)' is missing$/],
    ['a (b (c)', 2, /^unclosed '\('/],
    ['(', 0, /^unclosed '\('/],
    ['acme)', 4, /^unmatched '\)': there is no '\(' before it$/],
    [')', 0, /^unmatched '\)'/],
    ['(a OR b)) c', 8, /^unmatched '\)'/],
    ['()', 0, /^empty parentheses \(\)$/],
    ['acme ( )', 5, /^empty parentheses/],
    ['(OR a)', 1, /^OR right after '\(': it needs a term before it$/],
    ['a (AND b)', 3, /^AND right after '\('/],
    ['(a OR)', 3, /^OR before '\)': it needs a term after it$/],
    ['(a -)', 3, /^'-' must be followed directly by what it excludes/],
    // dangling and doubled operators
    ['OR acme', 0, /^the query cannot start with OR: it needs a term before it$/],
    ['| acme', 0, /^the query cannot start with '\|'/],
    ['AND acme', 0, /^the query cannot start with AND/],
    ['acme OR', 5, /^OR at the end of the query: it needs a term after it$/],
    ['acme |', 5, /^'\|' at the end of the query/],
    ['acme AND', 5, /^AND at the end of the query/],
    ['acme NOT', 5, /^NOT at the end of the query: it needs a term, phrase or group after it$/],
    ['NOT', 0, /^NOT at the end of the query/],
    ['acme OR OR globex', 8, /^OR right after OR: expected a term between them$/],
    ['acme | | globex', 7, /^'\|' right after '\|'/],
    ['acme OR AND globex', 8, /^AND right after OR/],
    ['acme AND OR globex', 9, /^OR right after AND/],
    ['acme NOT OR globex', 9, /^OR right after NOT: expected a term, phrase or group between them$/],
    ['NOT -acme', 4, /^'-' right after NOT: a negation cannot be negated$/],
    ['acme --markets', 6, /^'-' right after '-': a negation cannot be negated$/],
    ['acme -', 5, /^'-' must be followed directly by what it excludes \(-word, -"phrase" or -\(group\)\)$/],
    ['acme - markets', 5, /^'-' must be followed directly/],
    ['acme -|globex', 5, /^'-' must be followed directly/],
    // phrases
    ['"acme robotics', 0, /^unclosed quote: a phrase needs a closing "$/],
    ['acme "robotics', 5, /^unclosed quote/],
    ['acme "robotics" "x', 16, /^unclosed quote/],
    ['""', 0, /^empty phrase ""$/],
    ['acme "  "', 5, /^empty phrase/],
    ['"!!"', 0, /^phrase "!!" has no letters or digits to match$/],
    // words and stars
    ['robo*t', 4, /^'\*' is only allowed at the end of a word, as in robot\*$/],
    ['acme **', 5, /^'\*' is only allowed at the end of a word/],
    ['*', 0, /^'\*' must end a word, as in robot\*; it cannot stand alone$/],
    ['"acme"*', 6, /^'\*' must end a word/],
    ['acme &', 5, /^'&' has no letters or digits to match$/],
    // nothing positive
    ['-foo', 0, /^the query only excludes \(NOT\/-\): it needs at least one term to look for$/],
    ['NOT a NOT b', 0, /^the query only excludes/],
    ['-(a OR b)', 0, /^the query only excludes/],
    ['acme OR -markets', 8, /^this OR alternative only excludes \(NOT\/-\): every alternative needs at least one term to look for$/],
    ['acme OR (-a -b)', 8, /^this OR alternative only excludes/],
    ['acme OR (-a)', 8, /^this OR alternative only excludes/],
    ['-a OR acme', 0, /^this OR alternative only excludes/],
  ])('%j is an error at %i', (text, position, reason) => {
    let caught: unknown;
    try {
      parseQuery(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(QuerySyntaxError);
    const err = caught as QuerySyntaxError;
    expect(err.reason).toMatch(reason);
    expect(err.position).toBe(position);
    expect(err.message).toBe(`${err.reason} (at column ${position + 1})`);
  });
});

describe('formatQuery', () => {
  it.each(TREES)('%j round-trips', (text) => {
    const tree = parseQuery(text);
    const formatted = formatQuery(tree);
    expect(parseQuery(formatted)).toEqual(tree);
    expect(formatQuery(parseQuery(formatted))).toBe(formatted); // canonical: a fixed point
  });

  it.each([
    ['acme', 'acme'],
    ['Acme AND Robotics', 'Acme Robotics'],
    ['a OR b c', 'a OR b c'],
    ['a b OR c', 'a b OR c'],
    ['(a OR b) c', '(a OR b) c'],
    ['acme NOT markets', 'acme -markets'],
    ['acme NOT "acme markets"', 'acme -"acme markets"'],
    ['acme -(markets OR stores)', 'acme -(markets OR stores)'],
    ['acme NOT (a b)', 'acme -(a b)'],
    ['\u201cacme  robotics\u201d', '"acme  robotics"'],
    ['robot* | droid', 'robot* OR droid'],
    ['((a)) AND (b)', 'a b'],
    ['a (b OR -c)', 'a (b OR -c)'],
  ])('%j → %j', (text, want) => {
    expect(formatQuery(parseQuery(text))).toBe(want);
  });

  it.each([
    [w('OR'), '"OR"'],
    [pre('OR'), 'OR*'],
    [pre('acme robot'), '"acme robot"'],
    [w('-5'), '"-5"'],
    [w('acme robotics'), '"acme robotics"'],
    [p('say "hi"'), '"say  hi"'],
    [and(w('a'), and(w('b'), w('c'))), 'a b c'],
    [or(w('a'), or(w('b'), w('c'))), 'a OR b OR c'],
    [not(not(w('a'))), '-(-a)'],
  ])('hand-built %j → %j', (node, want) => {
    expect(formatQuery(node)).toBe(want);
  });
});

describe('keywordsToQuery', () => {
  it.each([
    [['acme'], [], p('acme')],
    [['acme', 'acme robotics'], [], or(p('acme'), p('acme robotics'))],
    [['acme'], ['acme markets'], and(p('acme'), not(p('acme markets')))],
    [['a', 'b'], ['x', 'y'], and(or(p('a'), p('b')), not(or(p('x'), p('y'))))],
    [['', '  acme  ', '!!'], ['--'], p('acme')],
    [['say "hi"'], [], p('say  hi')],
  ])('%j excluding %j', (keywords, exclude, tree) => {
    expect(keywordsToQuery(keywords, exclude)).toEqual(tree);
  });

  it('formats as a query meaning the same', () => {
    const q = keywordsToQuery(['acme', 'acme robotics'], ['acme markets']);
    expect(formatQuery(q)).toBe('("acme" OR "acme robotics") -"acme markets"');
    expect(parseQuery(formatQuery(q))).toEqual(q);
  });

  it('needs a keyword with letters or digits', () => {
    expect(() => keywordsToQuery([])).toThrow(QuerySyntaxError);
    expect(() => keywordsToQuery(['', '--'])).toThrow(/no keyword/);
  });
});

describe('searchString', () => {
  it.each([
    ['acme', 'acme', 'acme'],
    ['"acme robotics"', '"acme robotics"', 'acme robotics'], // hnrss looks for a string without OR as one phrase
    ['acme robotics', 'acme robotics', 'acme'], // (so two words that need not be side by side: one of them)
    ['acme OR globex', 'acme OR globex', 'acme OR globex'], // hnrss: any of the words
    ['a b OR c', '(a b) OR c', 'a OR c'],
    ['c OR a b', 'c OR (a b)', 'c OR a'],
    ['a (b OR c)', 'a (b OR c)', 'a'],
    ['(a OR b) (c OR d)', '(a OR b) (c OR d)', 'a OR b'],
    ['acme -markets', 'acme -markets', 'acme'],
    ['acme NOT "acme markets"', 'acme -"acme markets"', 'acme'],
    ['acme -(markets OR stores)', 'acme -markets -stores', 'acme'],
    ['acme -(a b)', 'acme', 'acme'], // NOT of an AND cannot be written: left out (finds more)
    ['acme (robots OR -markets)', 'acme', 'acme'], // an alternative that only excludes: the OR is left out
    ['robot* OR droid', 'robot* OR droid', 'robot OR droid'],
    ['"acme robotics" recall* -"acme markets" OR globex', '("acme robotics" recall* -"acme markets") OR globex', 'robotics OR globex'],
    ['-markets acme', '-markets acme', 'acme'],
    ['acme OR globex (-a OR -b)', 'acme OR globex', 'acme OR globex'],
    ['acme OR globex -(a OR b)', 'acme OR (globex -a -b)', 'acme OR globex'],
    ['acme OR (globex -(a b))', 'acme OR globex', 'acme OR globex'],
    ['e-mail', 'e-mail', 'e-mail'],
  ])('%j → google %j, simple %j', (text, google, simple) => {
    const q = parseQuery(text);
    expect(searchString(q, 'google')).toBe(google);
    expect(searchString(q, 'simple')).toBe(simple);
  });

  it('keyword lists become a quoted OR', () => {
    const q = keywordsToQuery(['acme', 'acme robotics'], ['acme markets']);
    expect(searchString(q, 'google')).toBe('("acme" OR "acme robotics") -"acme markets"');
    expect(searchString(q, 'simple')).toBe('acme');
  });

  it('Hacker News (hnrss) is asked for every keyword, never a narrower search than the topic', () => {
    // hnrss.org looks for a q without " OR " as one exact phrase, and a q with " OR " as any of its words
    expect(searchString(keywordsToQuery(['acme', 'globex', 'initech']), 'simple')).toBe('acme OR globex OR initech');
    expect(searchString(keywordsToQuery(['Société Générale', '東京', 'Zürich']), 'simple')).toBe('Générale OR 東京 OR Zürich');
    expect(searchString(parseQuery('"acme robotics" OR (acme AND (vacuum OR glide)) -"acme markets"'), 'simple')).toBe('acme');
  });
});
