/**
 * Matching parsed topic queries (src/config/query.ts) against item text.
 *
 * Semantics are those of the keyword matcher (match.ts): case- and accent-insensitive (the text is passed
 * through foldText() first, the terms are folded the same way), whole words only, the words of a phrase
 * separated by any run of non-letters ("acme robotics" matches "Acme-Robotics"). A term with `*` matches
 * word starts. With a stem language, non-prefix terms also match words with the same stem ("recall" matches
 * "recalled"), word by word in phrases.
 *
 * Speed: the per-item work (splitting into words, stemming, a small Bloom filter of the words' hashes) is
 * done once per item, in a TextView, and shared by every query. Three ways to use it, fastest last:
 *
 *     const folded = foldText(`${title}\n${summary}`);
 *     for (const q of queries) if (q.test(folded)) ...   // the same string to every query: its view is cached
 *
 *     const view = prepareText(folded);                    // explicit: one view per item,
 *     for (const q of queries) if (q.test(view)) ...       // then a few bit tests per query, most stop there
 *
 *     const set = compileQuerySet(queries);                // once, after compiling the topics;
 *     set.match(folded)                                     // per item: the indices of the matching queries,
 *                                                           // at a cost that grows with its words, not the topics
 */
import { createRequire } from 'node:module';
import type { QueryNode } from '../config/query.js';
import { foldText, unitClass } from '../core/text.js';

export type StemLanguage = 'en' | 'nl' | 'de' | 'fr' | 'es';

export interface CompileOptions {
  /** Also match words with the same stem as a (non-prefix) term, with natural's Porter stemmer for this language. */
  stemLanguage?: StemLanguage | null;
}

/** Item text prepared for matching: build it once per item with prepareText() and pass it to every query. */
export interface TextView {
  /** The folded text it was made from. */
  readonly folded: string;
  /** Its words (runs of letters and digits), in order. */
  readonly words: readonly string[];
}

export interface CompiledQuery {
  /** Does the text match? `text` is foldText() output, or a view of it from prepareText(). */
  test(text: string | TextView): boolean;
  /**
   * The terms that make the text match, as written (a prefix term with its `*`), in query order, no repeats:
   * the terms of every OR alternative that matches. Empty when the text does not match.
   */
  explain(text: string | TextView): string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Stemmers: natural's, loaded by deep path (its index loads everything and takes seconds), only when asked for.

interface Stemmer {
  stem(word: string): string;
}

const STEMMER_FILES: Partial<Record<string, string>> & Record<StemLanguage, string> = {
  en: 'porter_stemmer.js',
  nl: 'porter_stemmer_nl.js',
  de: 'porter_stemmer_de.js',
  fr: 'porter_stemmer_fr.js',
  es: 'porter_stemmer_es.js',
};

/** FNV-1a over the first `length` characters, as an int32. */
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

function hash(s: string, length: number = s.length): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/**
 * Stems of words seen so far, in an open-addressing table keyed by the words' hashes (which the views compute
 * anyway): much cheaper than a Map<string, string>, which hashes every freshly sliced word again.
 */
class StemTable {
  private static readonly MAX_SLOTS = 1 << 19;
  /** '' marks an empty slot (words are never empty). */
  private words: string[] = [];
  private hashes = new Int32Array(0);
  private stems: string[] = [];
  private stemHashes = new Int32Array(0);
  private count = 0;
  private mask = 0;

  constructor(private readonly stemmer: Stemmer) {
    this.reset(1 << 12);
  }

  private reset(slots: number): void {
    // filled, so that the arrays stay packed (fast) rather than sparse
    this.words = new Array<string>(slots).fill('');
    this.hashes = new Int32Array(slots);
    this.stems = new Array<string>(slots).fill('');
    this.stemHashes = new Int32Array(slots);
    this.count = 0;
    this.mask = slots - 1;
  }

  /** The slot holding the word's stem (valid until the next call). */
  slot(word: string, h: number): number {
    let i = h & this.mask;
    for (let w = this.words[i]!; w !== ''; w = this.words[i]!) {
      if (this.hashes[i] === h && w === word) return i;
      i = (i + 1) & this.mask;
    }
    if (2 * (this.count + 1) > this.mask + 1) {
      this.grow();
      return this.slot(word, h);
    }
    const stem = /^\p{N}+$/u.test(word) ? word : foldText(this.stemmer.stem(word));
    this.words[i] = word;
    this.hashes[i] = h;
    this.stems[i] = stem;
    this.stemHashes[i] = hash(stem);
    this.count++;
    return i;
  }

  stemAt(slot: number): string {
    return this.stems[slot]!;
  }

  stemHashAt(slot: number): number {
    return this.stemHashes[slot]!;
  }

  stem(word: string): string {
    return this.stemAt(this.slot(word, hash(word)));
  }

  /** Doubles the table, or empties it once it is as big as it may get (a long-running process meeting many words). */
  private grow(): void {
    const { words, hashes, stems, stemHashes } = this;
    const slots = this.mask + 1;
    if (slots >= StemTable.MAX_SLOTS) {
      this.reset(slots);
      return;
    }
    this.reset(slots * 2);
    for (let j = 0; j < slots; j++) {
      const w = words[j]!;
      if (w === '') continue;
      let i = hashes[j]! & this.mask;
      while (this.words[i] !== '') i = (i + 1) & this.mask;
      this.words[i] = w;
      this.hashes[i] = hashes[j]!;
      this.stems[i] = stems[j]!;
      this.stemHashes[i] = stemHashes[j]!;
      this.count++;
    }
  }
}

const stemTables = new Map<StemLanguage, StemTable>();

/** The stem table for the language, loading its stemmer the first time. */
function stemTable(language: StemLanguage): StemTable {
  let table = stemTables.get(language);
  if (!table) {
    const file = STEMMER_FILES[language];
    if (file === undefined) throw new TypeError(`no stemmer for language ${JSON.stringify(language)}: expected one of ${Object.keys(STEMMER_FILES).join(', ')}`);
    const require = createRequire(import.meta.url);
    table = new StemTable(require(`natural/lib/natural/stemmers/${file}`) as Stemmer);
    stemTables.set(language, table);
  }
  return table;
}

// ---------------------------------------------------------------------------------------------------------------
// Text views

const WORD = /[\p{L}\p{N}]+/gu;
/** Surrogates: text with characters beyond the BMP takes the regular-expression path. */
const ASTRAL = /[\ud800-\udfff]/;
/** Is a BMP code unit a letter or digit (\p{L}, \p{N}), as WORD counts them? */
const isWordUnit = unitClass(/^[\p{L}\p{N}]$/u);

/** Prefix terms at least this long are looked up by their start in a filter of word starts. */
const PREFIX_KEY = 4;

/**
 * A Bloom filter (one bit per key) sized for n keys: at most about 3% false positives. 512 bits for up to
 * 16 keys: a typed array of 64 bytes or less lives on the JS heap and is much cheaper to make than a bigger one.
 */
class Bits {
  readonly bits: Int32Array;
  readonly mask: number;
  constructor(n: number) {
    let size = 512;
    while (size < n * 32) size *= 2;
    this.bits = new Int32Array(size >>> 5);
    this.mask = size - 1;
  }
  add(h: number): void {
    const b = h & this.mask;
    this.bits[b >>> 5]! |= 1 << (b & 31);
  }
  has(h: number): boolean {
    const b = h & this.mask;
    return (this.bits[b >>> 5]! & (1 << (b & 31))) !== 0;
  }
}

/** Is the bit of any of the keys set? */
function anySet(filter: Bits, keys: Int32Array): boolean {
  const { bits, mask } = filter;
  for (let i = 0; i < keys.length; i++) {
    const b = keys[i]! & mask;
    if ((bits[b >>> 5]! & (1 << (b & 31))) !== 0) return true;
  }
  return false;
}

/**
 * Words (or stems) of a text, their hashes and their filter. The words are strings, or (a text's own words)
 * spans of the text, `spans[2i]` to `spans[2i + 1]`, made into strings only when something asks for them: most
 * items are told apart from every query by the hashes alone, and a slice per word was a tenth of a parse
 * worker's garbage.
 */
class WordList {
  readonly bits: Bits;
  private list: string[] | null;
  constructor(
    words: string[] | null,
    readonly hashes: Int32Array,
    private readonly text = '',
    private readonly spans: Int32Array | null = null,
  ) {
    this.list = words;
    this.bits = new Bits(hashes.length);
    for (let i = 0; i < hashes.length; i++) this.bits.add(hashes[i]!);
  }
  get words(): string[] {
    if (this.list === null) {
      const { text, spans } = this;
      const list = new Array<string>(this.hashes.length);
      for (let i = 0; i < list.length; i++) list[i] = text.slice(spans![2 * i]!, spans![2 * i + 1]!);
      this.list = list;
    }
    return this.list;
  }
  /** Is word i `word` (of hash h)? */
  is(i: number, word: string, h: number): boolean {
    if (this.hashes[i] !== h) return false;
    if (this.list !== null) return this.list[i] === word;
    const start = this.spans![2 * i]!;
    return this.spans![2 * i + 1]! - start === word.length && this.text.startsWith(word, start);
  }
  has(word: string, h: number): boolean {
    if (!this.bits.has(h)) return false;
    const { hashes } = this;
    for (let i = 0; i < hashes.length; i++) if (hashes[i] === h && this.is(i, word, h)) return true;
    return false;
  }
}

/** Scratch for a text's word hashes and spans while it is read (copied out at the size it needs). */
let scratchHashes = new Int32Array(256);
let scratchSpans = new Int32Array(512);

class View implements TextView {
  readonly list: WordList;
  private starts: Bits | null = null;
  /** Stems in the last language asked for (there is usually one), and in any others. */
  private stemLanguage: StemLanguage | null = null;
  private stemList: WordList | null = null;
  private readonly stemmed = new Map<StemLanguage, WordList>();
  constructor(readonly folded: string) {
    if (ASTRAL.test(folded)) {
      const words = folded.match(WORD) ?? [];
      const hashes = new Int32Array(words.length);
      for (let i = 0; i < words.length; i++) hashes[i] = hash(words[i]!);
      this.list = new WordList(words, hashes);
    } else {
      // text without astral characters (nearly all): the same words (runs of letters and digits) and
      // hashes in one pass, a table telling word characters; the words as spans of the text
      if (scratchSpans.length < folded.length + 2) {
        scratchHashes = new Int32Array(folded.length + 2);
        scratchSpans = new Int32Array(2 * (folded.length + 2));
      }
      const h = scratchHashes;
      const spans = scratchSpans;
      let n = 0;
      let start = -1;
      let fnv = 0;
      for (let i = 0; i <= folded.length; i++) {
        const c = i < folded.length ? folded.charCodeAt(i) : 0x20;
        if (isWordUnit(c)) {
          if (start < 0) {
            start = i;
            fnv = FNV_OFFSET;
          }
          fnv = Math.imul(fnv ^ c, FNV_PRIME);
        } else if (start >= 0) {
          spans[2 * n] = start;
          spans[2 * n + 1] = i;
          h[n++] = fnv;
          start = -1;
        }
      }
      this.list = new WordList(null, h.slice(0, n), folded, spans.slice(0, 2 * n));
    }
  }
  /** Its words, made when first asked for (see WordList). */
  get words(): string[] {
    return this.list.words;
  }
  /** The filter of the words' first PREFIX_KEY characters, made when a prefix term first asks. */
  prefixes(): Bits {
    if (this.starts === null) {
      this.starts = new Bits(this.words.length);
      for (const w of this.words) if (w.length >= PREFIX_KEY) this.starts.add(hash(w, PREFIX_KEY));
    }
    return this.starts;
  }
  /** The words' stems in the language (index for index with `words`), computed once. */
  stems(language: StemLanguage): WordList {
    if (language === this.stemLanguage) return this.stemList!;
    let list = this.stemmed.get(language);
    if (!list) {
      const table = stemTable(language);
      const { words, hashes } = this.list;
      const stems = new Array<string>(words.length);
      const stemHashes = new Int32Array(words.length);
      for (let i = 0; i < words.length; i++) {
        const slot = table.slot(words[i]!, hashes[i]!);
        stems[i] = table.stemAt(slot);
        stemHashes[i] = table.stemHashAt(slot);
      }
      list = new WordList(stems, stemHashes);
      this.stemmed.set(language, list);
    }
    this.stemLanguage = language;
    this.stemList = list;
    return list;
  }
}

/** Prepares folded text (foldText() output) for matching against any number of queries. */
export function prepareText(folded: string): TextView {
  return new View(folded);
}

let lastView: View | null = null;

/** The view for the text: the one given, the last one made for this very string, or a new one. */
function viewOf(text: string | TextView): View {
  if (typeof text !== 'string') return text instanceof View ? text : viewOf(text.folded);
  if (lastView === null || lastView.folded !== text) lastView = new View(text);
  return lastView;
}

// ---------------------------------------------------------------------------------------------------------------
// Compilation

type Test = (v: View) => boolean;

/**
 * Filter keys of which at least one must be set for the node to match: hashes of whole words in the view's
 * word filter, of stems in its stem filter, of word starts in its prefix filter. null: there are none (the node
 * can match without any particular word: a NOT, or a prefix shorter than PREFIX_KEY).
 */
interface Triggers {
  words: number[];
  stems: number[];
  starts: number[];
}

const triggerCount = (t: Triggers): number => t.words.length + t.stems.length + t.starts.length;

/** A test for one term: its words must occur in a row; the last one only as a word start if it is a prefix. */
function compileTerm(text: string, prefix: boolean, language: StemLanguage | null): { test: Test; triggers: Triggers | null } {
  const words = foldText(text).match(WORD) ?? [];
  const n = words.length;
  if (n === 0) return { test: () => false, triggers: { words: [], stems: [], starts: [] } }; // never matches
  const table = language === null ? null : stemTable(language);
  // what each word is compared with: its stem when stemming, except for a prefix
  const keys = words.map((w, i) => (table !== null && !(prefix && i === n - 1) ? table.stem(w) : w));
  const hashes = keys.map((k) => hash(k));
  const last = n - 1;
  const start = words[last]!;
  const startHash = prefix && start.length >= PREFIX_KEY ? hash(start, PREFIX_KEY) : null;

  if (n === 1 && !prefix) {
    const key = keys[0]!;
    const h = hashes[0]!;
    return language === null
      ? { test: (v) => v.list.has(key, h), triggers: { words: [h], stems: [], starts: [] } }
      : { test: (v) => v.stems(language).has(key, h), triggers: { words: [], stems: [h], starts: [] } };
  }

  if (n === 1) {
    // a prefix word
    return {
      test: (v) => {
        if (startHash !== null && !v.prefixes().has(startHash)) return false;
        for (const w of v.words) if (w.startsWith(start)) return true;
        return false;
      },
      triggers: startHash === null ? null : { words: [], stems: [], starts: [startHash] },
    };
  }

  // a phrase: every word must be there (filter check), then in a row
  const test: Test = (v) => {
    const list = language === null ? v.list : v.stems(language);
    for (let i = 0; i < last; i++) if (!list.bits.has(hashes[i]!)) return false;
    if (prefix ? startHash !== null && !v.prefixes().has(startHash) : !list.bits.has(hashes[last]!)) return false;
    const end = list.hashes.length - n;
    outer: for (let i = 0; i <= end; i++) {
      for (let j = 0; j < last; j++) if (!list.is(i + j, keys[j]!, hashes[j]!)) continue outer;
      if (prefix ? v.words[i + last]!.startsWith(start) : list.is(i + last, keys[last]!, hashes[last]!)) return true;
    }
    return false;
  };
  const first = hashes[0]!; // never the prefix word: that is the last of two or more
  return { test, triggers: language === null ? { words: [first], stems: [], starts: [] } : { words: [], stems: [first], starts: [] } };
}

/** Fills `out` with the matching terms' labels (the caller discards them when the result is false). */
type Collect = (v: View, out: string[]) => boolean;

interface Compiled {
  test: Test;
  collect: Collect;
  triggers: Triggers | null;
}

function compileNode(node: QueryNode, language: StemLanguage | null): Compiled {
  switch (node.type) {
    case 'term': {
      const { test, triggers } = compileTerm(node.text, node.prefix, language);
      const label = node.prefix ? `${node.text}*` : node.text;
      return {
        test,
        triggers,
        collect: (v, out) => {
          if (!test(v)) return false;
          out.push(label);
          return true;
        },
      };
    }
    case 'not': {
      const child = compileNode(node.child, language).test;
      const test: Test = (v) => !child(v);
      return { test, collect: test, triggers: null };
    }
    case 'and': {
      // exclusions last: the positive terms usually fail first, and cheaply
      const ordered = [...node.children.filter((c) => c.type !== 'not'), ...node.children.filter((c) => c.type === 'not')];
      const parts = ordered.map((c) => compileNode(c, language));
      const tests = parts.map((p) => p.test);
      // any one child's keys will do: take the fewest
      let triggers: Triggers | null = null;
      for (const p of parts) {
        const t = p.triggers;
        if (t !== null && (triggers === null || triggerCount(t) < triggerCount(triggers))) triggers = t;
      }
      return {
        triggers,
        test: (v) => {
          for (const t of tests) if (!t(v)) return false;
          return true;
        },
        collect: (v, out) => {
          const mark = out.length;
          for (const p of parts) {
            if (!p.collect(v, out)) {
              out.length = mark;
              return false;
            }
          }
          return true;
        },
      };
    }
    case 'or': {
      const parts = node.children.map((c) => compileNode(c, language));
      const tests = parts.map((p) => p.test);
      // every alternative's keys
      const triggers = parts.every((p) => p.triggers !== null)
        ? {
            words: parts.flatMap((p) => p.triggers!.words),
            stems: parts.flatMap((p) => p.triggers!.stems),
            starts: parts.flatMap((p) => p.triggers!.starts),
          }
        : null;
      return {
        triggers,
        test: (v) => {
          for (const t of tests) if (t(v)) return true;
          return false;
        },
        collect: (v, out) => {
          let any = false;
          for (const p of parts) if (p.collect(v, out)) any = true;
          return any;
        },
      };
    }
  }
}

/** What a query set needs of a compiled query. */
interface Internals {
  full: Test;
  language: StemLanguage | null;
  words: Int32Array;
  stems: Int32Array;
  starts: Int32Array;
  /** No trigger keys: the query must always be evaluated. */
  always: boolean;
}

const internals = new WeakMap<CompiledQuery, Internals>();

/**
 * Compiles a query for matching. Loads the stemmer for `stemLanguage` (once per process) when one is given.
 * The result is cheap to keep: compile each topic's query once and reuse it for every item.
 */
export function compileQuery(node: QueryNode, options: CompileOptions = {}): CompiledQuery {
  const language = options.stemLanguage ?? null;
  const { test: full, collect, triggers } = compileNode(node, language);
  const words = Int32Array.from(new Set(triggers?.words ?? []));
  const stems = Int32Array.from(new Set(triggers?.stems ?? []));
  const starts = Int32Array.from(new Set(triggers?.starts ?? []));
  // The quick reject: none of the words the query needs is in the text's filters. Most pairs stop here.
  const test: Test =
    triggers === null
      ? full
      : (v) => {
          if (anySet(v.list.bits, words)) return full(v);
          if (stems.length > 0 && language !== null && anySet(v.stems(language).bits, stems)) return full(v);
          if (starts.length > 0 && anySet(v.prefixes(), starts)) return full(v);
          return false;
        };
  const compiled: CompiledQuery = {
    test: (text) => test(viewOf(text)),
    explain: (text) => {
      const out: string[] = [];
      if (!collect(viewOf(text), out)) return [];
      return [...new Set(out)];
    },
  };
  internals.set(compiled, { full, language, words, stems, starts, always: triggers === null });
  return compiled;
}

// ---------------------------------------------------------------------------------------------------------------
// Many queries at once

export interface QuerySet {
  /** The indices (ascending) of the queries that match the text: foldText() output or a view of it. */
  match(text: string | TextView): number[];
}

/** Index keys: the hashes cut to 30 bits, which V8 keeps as small integers (fast Map keys). */
const key = (h: number): number => h & 0x3fffffff;

function addKey(index: Map<number, number[]>, h: number, query: number): void {
  const k = key(h);
  const list = index.get(k);
  if (list === undefined) index.set(k, [query]);
  else if (list[list.length - 1] !== query) list.push(query);
}

/**
 * Matches many queries at once, for the hot path (every item against every topic): an index from the words
 * each query needs to the queries, so an item costs a lookup per word, plus a full test of only the queries
 * whose words it has, instead of a test per query. Same results as calling each query's test().
 */
export function compileQuerySet(queries: readonly CompiledQuery[]): QuerySet {
  const parts = queries.map((q) => {
    const i = internals.get(q);
    if (i === undefined) throw new TypeError('compileQuerySet takes queries made by compileQuery()');
    return i;
  });
  const words = new Map<number, number[]>();
  const stems = new Map<StemLanguage, Map<number, number[]>>();
  const starts = new Map<number, number[]>();
  const always: number[] = [];
  parts.forEach((p, q) => {
    if (p.always) always.push(q);
    for (const h of p.words) addKey(words, h, q);
    if (p.language !== null && p.stems.length > 0) {
      let index = stems.get(p.language);
      if (index === undefined) stems.set(p.language, (index = new Map()));
      for (const h of p.stems) addKey(index, h, q);
    }
    for (const h of p.starts) addKey(starts, h, q);
  });
  const stemIndexes = [...stems];
  const seen = new Int32Array(parts.length);
  let round = 0;

  return {
    match(text) {
      const v = viewOf(text);
      if (++round === 0x7fffffff) {
        seen.fill(0);
        round = 1;
      }
      const candidates: number[] = [...always];
      const collect = (index: Map<number, number[]>, h: number): void => {
        const list = index.get(key(h));
        if (list === undefined) return;
        for (const q of list) {
          if (seen[q] !== round) {
            seen[q] = round;
            candidates.push(q);
          }
        }
      };
      const { hashes } = v.list;
      if (words.size > 0) for (let i = 0; i < hashes.length; i++) collect(words, hashes[i]!);
      for (const [language, index] of stemIndexes) {
        const stemHashes = v.stems(language).hashes;
        for (let i = 0; i < stemHashes.length; i++) collect(index, stemHashes[i]!);
      }
      if (starts.size > 0) for (const w of v.words) if (w.length >= PREFIX_KEY) collect(starts, hash(w, PREFIX_KEY));
      if (candidates.length === 0) return candidates;
      candidates.sort((a, b) => a - b);
      return candidates.filter((q) => parts[q]!.full(v));
    },
  };
}
