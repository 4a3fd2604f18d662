import { createRequire } from 'node:module';
import { ENGLISH_FUNCTION_WORDS } from '../core/stopwords.js';
import { emailIn, handleFromLink, isWebmail, normalizeHandle, registrableDomain } from '../core/domain.js';
import { normalizeName, wordTokens, wordsOf } from '../core/names.js';

export { normalizeName, wordTokens };

/**
 * Which known accounts (companies from the CRM) an item involves, and how sure that is. Pure: the accounts
 * are data (plain objects, so they cross to the parse workers), compiled once per run.
 *
 * Evidence, strongest first (an item keeps each account's strongest):
 * - `email`    the author's e-mail is a contact's (1.0), or is at the account's domain (0.9); free mail never counts
 * - `domain`   the registrable domain of the item's link is the account's (0.95)
 * - `source`   the registrable domain of the item's `<source url>` (its publisher) is the account's (0.9)
 * - `handle`   the author's handle (or a fediverse post link's) is the account's or one of its contacts' (0.9)
 * - `name`     the account's name in the title or summary, as whole words after normalising (0.8; one word: 0.6)
 * - `alias`    one of its aliases, the same way (0.7; one word: 0.5)
 * A one-word name or alias matches only where the text does not write it in lower case ("Acme unveils", not
 * "acme of design"; a script without capitals, such as Arabic, has none to show), a name of several words only
 * where one of them is capitalised other than at a sentence's start (not "the best buy of the year", nor
 * "Best buy of the year"); one that is an everyday word
 * (Apple, Target, Shell) only capitalised inside a sentence that is not title-cased, and one of several words that is an
 * everyday phrase (Best Buy) nowhere in a title-cased text. Chinese, Japanese and
 * Korean names are found character by character (their text has no spaces between words; a Korean name
 * starts a word, with particles and compounds joined after it, not a place named after it: 삼성동; one that is an
 * everyday word, 현대, only with its business joined: 현대차); a short Latin name ("LG") in capitals with Korean
 * joined to it ("LG는", "LG전자"). Names and aliases shorter than MIN_NAME_CHARS, made of common words only, or shared by two accounts
 * are flagged for review and never matched on the name alone (a domain, e-mail or handle still matches).
 */

export interface ContactDef {
  email: string | null;
  handles: string[];
}

export interface AccountDef {
  id: number;
  name: string;
  domain: string | null;
  aliases: string[];
  handles: string[];
  contacts: ContactDef[];
}

export const MATCH_TYPES = ['email', 'domain', 'source', 'handle', 'name', 'alias'] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

export interface AccountMatch {
  accountId: number;
  matchType: MatchType;
  confidence: number;
}

export interface AccountMatchInput {
  title: string;
  summary: string;
  link: string | null;
  sourceDomain: string | null;
  author: string | null;
  authorEmail?: string | null | undefined;
}

/** Shorter names (letters and digits, after normalising) are never matched alone: "HP", "GE", "3M". */
export const MIN_NAME_CHARS = 4;

/** Bump when the rules change: stored matches are redone (the fingerprint changes). */
const RULES_VERSION = 6;

const COMMON = new Set(ENGLISH_FUNCTION_WORDS);

/**
 * Companies named by an everyday word (false friends: "apple" in a recipe, "target" in sport, "shell" on a
 * beach). Such a one-word name is flagged for review and matches only where it is capitalised inside a
 * sentence ("shares of Apple fell"), never where any word would be ("Apple crumble, the easy way").
 */
const EVERYDAY_WORDS = new Set(
  (
    'apple amazon target shell oracle gap visa delta subway sprint dove orange mint square box slack zoom ' +
    'nest ring bolt lime bird jet puma jaguar mercury corona tide gain bounty crest dawn glow fossil ' +
    'monster rocket signal notion figma canva stripe twitter meta alphabet uber lyft shopify chase ' +
    'progress allstate state sun star mars mobile cloud ace crown eagle patagonia guess coach'
  ).split(' '),
);

/**
 * Companies of several words named by an everyday phrase ("Best Buy": "the best buy of the year"; "Whole
 * Foods", "Five Below", "New Balance"): a title-cased headline ("The Best Buy of the Year") capitalises
 * the phrase as it would the name, so there it is no evidence, as "Apple" is none. (A name of everyday words
 * that is no phrase, "Delta Air Lines" or "General Motors", matches in headlines as any name does.)
 */
const EVERYDAY_PHRASES = new Set(
  [
    'best buy', 'whole foods', 'five below', 'big lots', 'old navy', 'new balance', 'fresh market', 'the fresh market',
    'home goods', 'life time', 'public storage', 'first choice', 'best western', 'american eagle', 'true value',
    'world market', 'container store', 'the container store', 'big five', 'good will',
  ].map((p) => p.normalize('NFKD')),
);

/**
 * Korean companies named by an everyday word: 현대 "modern", 우리 "we", 하나 "one", 제일 "first", 대상
 * "object", 미래 "future"... Such a name is found only with its business joined to it (현대차, 현대건설,
 * 우리은행, 하나금융): on its own, or with a particle ("현대 미술", "현대인", "우리는"), it is the word.
 */
const KOREAN_EVERYDAY = new Set(
  '현대 우리 하나 제일 대상 대우 미래 국민 한국 대한 동아 신세계 동원 진로 태양 영원 삼양 한솔 보람'.split(' '),
);
/** What Korean joins to a group's name for one of its businesses (현대차: Hyundai Motor, Hyundai's). */
const KOREAN_BUSINESS =
  /^(?:차|자동차|전자|건설|그룹|은행|금융|증권|카드|생명|화재|해상|중공업|제철|모비스|백화점|상선|물산|엔지니어링|로템|글로비스|홈쇼핑|제약|화학|케미칼|에너지|반도체|디스플레이|텔레콤|통신|항공|캐피탈|산업|투자|자산운용|바이오|식품|제과|제당|유통|리테일|스틸|정유|오일뱅크|해운|조선|건설)/u;
/** Korean particles, as joined to the end of a word. */
const PARTICLE = '(?:이|가|은|는|을|를|의|에|에서|에게|와|과|도|만|으로|로|이나|나|까지|부터|보다|처럼|에는|에도|에서는|에서도|으로는|일대|인근|점)?';
/**
 * A place named after the word: a district (삼성동), a station (삼성역), a road (삼성로, 테헤란로), with
 * its particle ("삼성동에서"): there it is the place, not the company. (로 after a name ending in a vowel
 * or ㄹ is the particle "to": "한화로" is "to Hanwha".)
 */
const KOREAN_PLACE = new RegExp(`^(?:동|역|길|대로|사거리)${PARTICLE}$`, 'u');
const KOREAN_ROAD = new RegExp(`^로${PARTICLE}$`, 'u');

/**
 * Scripts written without spaces between words (Chinese, Japanese) or with particles joined to the word
 * (Korean): a name is found in such text character by character, not as a whole word, and a character
 * counts as two letters towards MIN_NAME_CHARS ("华为", "ソニー" are names; one character is not).
 */
const CJK = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\u30fc]/u;
const CJK_PIECES = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\u30fc]|[^\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\u30fc]+/gu;
/** Legal forms written before or after a CJK name: 株式会社, 有限公司, 주식회사... (as names are compared: NFKD, Hangul in jamo) */
const nfkd = (forms: string[]) => forms.map((f) => f.normalize('NFKD')).join('|');
const CJK_LEGAL = new RegExp(
  `^(?:${nfkd(['株式会社', '有限会社', '合同会社', '주식회사'])})|(?:${nfkd(['株式会社', '有限会社', '合同会社', '股份有限公司', '有限公司', '集团', '公司', '주식회사'])})$`,
  'u',
);

/** A word as the matcher compares it: CJK text one character a piece, other words whole. */
function pieces(word: string): string[] {
  return CJK.test(word) ? (word.match(CJK_PIECES) ?? [word]) : [word];
}

/** A normalised name's tokens for matching: CJK names without their legal form, a character a token. */
function matchTokens(normalized: string): string[] {
  const words = normalized.split(' ');
  const kept = words.map((w) => (CJK.test(w) ? w.replace(CJK_LEGAL, '') : w)).filter(Boolean);
  return (kept.length ? kept : words).flatMap(pieces);
}

/** Why a name or alias is never matched alone, or null when it may be. */
export function nameProblem(normalized: string, sharedWith: string | null): string | null {
  if (!normalized) return 'no letters or digits';
  const letters = [...normalized.replace(/ /g, '')].reduce((n, ch) => n + (CJK.test(ch) ? 2 : 1), 0);
  if (letters < MIN_NAME_CHARS) return `shorter than ${MIN_NAME_CHARS} letters`;
  if (normalized.split(' ').every((w) => COMMON.has(w))) return 'a common word';
  if (sharedWith) return `also ${sharedWith}`;
  return null;
}

/**
 * A name too short to match alone that is Latin letters and digits ("LG", "SK", "KT", "CJ"): Korean text
 * writes such a company's name in capitals with a particle or its business joined to it ("LG는", "LG가",
 * "LG전자", "SK하이닉스"), and there it is a name; anywhere else it stays too short ("HP", "GE", "3M").
 */
function isShortLatin(normalized: string): boolean {
  return /^[a-z0-9]{2,3}$/.test(normalized) && /[a-z]/.test(normalized);
}

/** Hangul: Korean writes words apart, with particles and compounds joined to the end of a name. */
const HANGUL = /^\p{sc=Hangul}/u;

/** A one-word name that is also an everyday word: matched only capitalised inside a sentence (see EVERYDAY_WORDS). */
export function isEverydayWord(normalized: string): boolean {
  return EVERYDAY_WORDS.has(normalized);
}

/** A name of several words that is an everyday phrase ("best buy"; see EVERYDAY_PHRASES). */
function isEverydayPhrase(normalized: string): boolean {
  return EVERYDAY_PHRASES.has(normalized);
}

/** A Korean name that is an everyday word (see KOREAN_EVERYDAY). */
function isKoreanEveryday(normalized: string): boolean {
  return KOREAN_EVERYDAY.has(normalized.normalize('NFC'));
}

/** Why a name is matched only in some places, or null: the review note of a name that may be matched. */
function everydayNote(norm: string): string | null {
  if (isEverydayWord(norm)) return 'an everyday word: matched only capitalised inside a sentence';
  if (isEverydayPhrase(norm)) return 'everyday words: matched only capitalised, never in a title-cased headline';
  if (isKoreanEveryday(norm)) {
    const n = norm.normalize('NFC');
    return `an everyday word in Korean: matched only with its business joined to it (${n}차, ${n}건설, ${n}은행)`;
  }
  return null;
}

/** Per account, the names and aliases flagged for review and why ("HP": shorter than 4 letters). */
export function reviewNotes(accounts: readonly AccountDef[]): Map<number, string[]> {
  const owners = nameOwners(accounts);
  const out = new Map<number, string[]>();
  for (const a of accounts) {
    for (const n of [a.name, ...a.aliases]) {
      const norm = normalizeName(n);
      let problem = nameProblem(norm, sharedName(owners, norm, a)) ?? everydayNote(norm);
      if (problem && isShortLatin(norm) && !sharedName(owners, norm, a)) problem += `: matched only in capitals with Korean joined to it (${n.trim().toUpperCase()}의, ${n.trim().toUpperCase()}가)`;
      if (!problem) continue;
      const list = out.get(a.id) ?? [];
      list.push(`"${n}": ${problem}`);
      out.set(a.id, list);
    }
  }
  return out;
}

function nameOwners(accounts: readonly AccountDef[]): Map<string, AccountDef[]> {
  const owners = new Map<string, AccountDef[]>();
  for (const a of accounts) {
    for (const norm of new Set([a.name, ...a.aliases].map(normalizeName))) {
      const list = owners.get(norm) ?? [];
      list.push(a);
      owners.set(norm, list);
    }
  }
  return owners;
}

function sharedName(owners: Map<string, AccountDef[]>, norm: string, a: AccountDef): string | null {
  const other = owners.get(norm)?.find((o) => o.id !== a.id);
  return other ? `the name of account ${other.id} (${other.name})` : null;
}

interface NameEntry {
  tokens: string[];
  /**
   * An everyday word: a capital at a sentence's start is no evidence; 'phrase': everyday words, no evidence in
   * a title-cased text; 'korean': matched only with a business joined to it.
   */
  everyday: boolean | 'phrase' | 'korean';
  /** A Hangul name: what follows it in its word says whether it is the name (see koreanJoin). */
  hangul: boolean;
  accountId: number;
  matchType: 'name' | 'alias';
  confidence: number;
}

export interface AccountMatcher {
  /** Changes whenever the accounts or the rules do: stored matches made with another are redone. */
  readonly fingerprint: string;
  readonly size: number;
  match(item: AccountMatchInput): AccountMatch[];
}

/** The accounts' definition as one string, in id order: what the fingerprint hashes. */
export function accountsFingerprint(accounts: readonly AccountDef[]): string {
  const sorted = [...accounts].sort((a, b) => a.id - b.id);
  // (node:crypto when first asked: a fetch with no accounts never is, and loading it is ~8 ms of a start)
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(JSON.stringify([RULES_VERSION, sorted])).digest('hex').slice(0, 32);
}

const RANK: Record<MatchType, number> = { email: 0, domain: 1, source: 2, handle: 3, name: 4, alias: 5 };

export function compileAccounts(accounts: readonly AccountDef[]): AccountMatcher {
  const byDomain = new Map<string, number>();
  const byEmail = new Map<string, number>();
  const byHandle = new Map<string, number>();
  const byFirst = new Map<string, NameEntry[]>();
  /** Short Latin names (isShortLatin), matched only in capitals with Korean joined to them. */
  const shortJoined = new Map<string, NameEntry>();
  const owners = nameOwners(accounts);
  // lowest id first: of two accounts claiming one domain (cannot happen once stored), the older wins
  for (const a of [...accounts].sort((x, y) => x.id - y.id)) {
    const d = registrableDomain(a.domain);
    if (d && !byDomain.has(d)) byDomain.set(d, a.id);
    for (const h of a.handles) {
      const n = normalizeHandle(h);
      if (n && !byHandle.has(n)) byHandle.set(n, a.id);
    }
    for (const c of a.contacts) {
      const e = c.email?.toLowerCase();
      if (e && !byEmail.has(e)) byEmail.set(e, a.id);
      for (const h of c.handles) {
        const n = normalizeHandle(h);
        if (n && !byHandle.has(n)) byHandle.set(n, a.id);
      }
    }
    const seen = new Set<string>();
    for (const [k, n] of [a.name, ...a.aliases].entries()) {
      const norm = normalizeName(n);
      if (seen.has(norm)) continue;
      seen.add(norm);
      if (nameProblem(norm, sharedName(owners, norm, a))) {
        if (isShortLatin(norm) && !sharedName(owners, norm, a)) {
          shortJoined.set(norm, { tokens: [norm], everyday: false, hangul: false, accountId: a.id, matchType: k === 0 ? 'name' : 'alias', confidence: k === 0 ? 0.6 : 0.5 });
        }
        continue;
      }
      const tokens = matchTokens(norm);
      const single = tokens.length === 1;
      const entry: NameEntry = {
        tokens,
        everyday: isKoreanEveryday(norm) ? 'korean' : single ? isEverydayWord(norm) : isEverydayPhrase(norm) && 'phrase',
        hangul: HANGUL.test(norm),
        accountId: a.id,
        matchType: k === 0 ? 'name' : 'alias',
        confidence: k === 0 ? (single ? 0.6 : 0.8) : single ? 0.5 : 0.7,
      };
      const list = byFirst.get(tokens[0]!) ?? [];
      list.push(entry);
      byFirst.set(tokens[0]!, list);
    }
  }
  // made when first read: a fetch with no accounts and no matches stored never reads it
  let fingerprint: string | undefined;

  return {
    get fingerprint() {
      return (fingerprint ??= accountsFingerprint(accounts));
    },
    size: accounts.length,
    match(item) {
      if (accounts.length === 0) return [];
      const found = new Map<number, AccountMatch>();
      const add = (accountId: number | undefined, matchType: MatchType, confidence: number) => {
        if (accountId === undefined) return;
        const had = found.get(accountId);
        if (!had || confidence > had.confidence || (confidence === had.confidence && RANK[matchType] < RANK[had.matchType])) {
          found.set(accountId, { accountId, matchType, confidence });
        }
      };
      const email = item.authorEmail ?? emailIn(item.author);
      if (email) {
        add(byEmail.get(email), 'email', 1);
        const d = registrableDomain(email);
        if (!isWebmail(d)) add(byDomain.get(d ?? ''), 'email', 0.9);
      }
      const linkDomain = registrableDomain(item.link);
      if (linkDomain) add(byDomain.get(linkDomain), 'domain', 0.95);
      const sourceDomain = registrableDomain(item.sourceDomain);
      if (sourceDomain && sourceDomain !== linkDomain) add(byDomain.get(sourceDomain), 'source', 0.9);
      if (byHandle.size > 0) {
        // the author as a handle, or the handle a fediverse post's link carries
        const handle = email ? null : normalizeHandle(item.author);
        if (handle) add(byHandle.get(handle), 'handle', 0.9);
        const linked = handleFromLink(item.link);
        if (linked) add(byHandle.get(linked), 'handle', 0.9);
      }
      if (byFirst.size > 0 || shortJoined.size > 0) {
        for (const text of [item.title, item.summary]) {
          // (one scan of the text for CJK, not one a word: most texts have none)
          const cjk = CJK.test(text);
          const { words: written, starts, inside } = cjk ? splitWords(wordsOf(text)) : { ...wordsOf(text), inside: null };
          const lower = written.map((t) => t.toLowerCase());
          let titleCase: boolean | undefined;
          for (let i = 0; i < lower.length; i++) {
            // "LG는", "LG전자": a short name in capitals, Korean joined to it
            if (inside && inside[i + 1] && !inside[i] && HANGUL.test(written[i + 1]!) && /^[\p{Lu}\d]+$/u.test(written[i]!)) {
              const e = shortJoined.get(lower[i]!);
              if (e) add(e.accountId, e.matchType, e.confidence);
            }
            const entries = byFirst.get(lower[i]!);
            if (!entries) continue;
            for (const e of entries) {
              if (!e.tokens.every((t, k) => lower[i + k] === t)) continue;
              // a Korean name starts a word ("삼성전자가", "한화의"), never inside one ("대한화학" is not 한화)
              if (inside?.[i] && HANGUL.test(written[i]!)) continue;
              // one word must be written as a name: not "apple" in a recipe (a script without capitals has none to show)
              if (e.tokens.length === 1 && /^\p{Ll}/u.test(written[i]!)) continue;
              // several words too ("the best buy of the year" is not Best Buy, however the CRM writes the
              // name): one of them not in lower case where a capital says something, not a sentence's first word
              if (e.tokens.length > 1 && !writtenAsName(written, starts, i, e.tokens.length)) continue;
              // "Apple crumble, the easy way": at a sentence's start every word is capitalised, and in a
              // title-cased headline ("The Best Apple Crumble Recipe for Fall") every word is
              if (e.everyday === true && (starts[i] || (titleCase ??= isTitleCase(written)))) continue;
              // "The Best Buy of the Year": in a title-cased headline everyday words are capitalised as any are
              if (e.everyday === 'phrase' && titleCasedAround(written, starts, i, e.tokens.length)) continue;
              // Korean: what is joined after the name says whether it is the name (삼성전자) or not (삼성동, 현대인)
              if (e.hangul && !koreanJoin(written, inside, i + e.tokens.length, e.everyday === 'korean')) continue;
              add(e.accountId, e.matchType, e.confidence);
            }
          }
        }
      }
      return [...found.values()].sort((a, b) => a.accountId - b.accountId);
    },
  };
}

/**
 * Whether the `n` words from `i` are written as a name: one of them capitalised (or a digit, or in a script
 * without capitals) other than as a sentence's first word ("shares of Best Buy", "Best Buy's results", not
 * "the best buy of the year" nor "Best buy of the year: …").
 */
function writtenAsName(written: readonly string[], starts: readonly boolean[], i: number, n: number): boolean {
  for (let k = i; k < i + n; k++) if (!starts[k] && !/^\p{Ll}/u.test(written[k]!)) return true;
  return false;
}

/**
 * Whether the words around the `n` from `i` are title-cased: those not starting a sentence nor function words
 * are capitalised, three in four or more, one at least ("The Best Buy of the Year", not "Shares of Best Buy
 * fell"). The name's own words are left out: they are capitalised either way.
 */
function titleCasedAround(written: readonly string[], starts: readonly boolean[], i: number, n: number): boolean {
  let upper = 0;
  let lower = 0;
  written.forEach((w, k) => {
    if ((k >= i && k < i + n) || starts[k] || COMMON.has(w.toLowerCase())) return;
    if (/^\p{Lu}/u.test(w)) upper++;
    else if (/^\p{Ll}/u.test(w)) lower++;
  });
  return upper >= 1 && upper >= 3 * lower;
}

/**
 * Whether a Korean name found in the text, ending before piece `j`, is the name by what is joined after it
 * in its word: not when its last syllable goes on ("기아" in "기압", pressure), nor a place named after it
 * (삼성동, 삼성역에서); an everyday word (`everyday`) only with its business joined (현대차, not 현대인).
 */
function koreanJoin(written: readonly string[], inside: readonly boolean[] | null, j: number, everyday: boolean): boolean {
  let rest = '';
  for (let k = j; inside?.[k]; k++) rest += written[k];
  // a vowel or a final consonant: the syllable the name ends with is another one in the text
  if (/^[\u1160-\u11ff]/u.test(rest)) return false;
  const joined = rest.normalize('NFC');
  if (KOREAN_PLACE.test(joined)) return false;
  // 로 is a road after a final consonant (삼성로), the particle "to" after a vowel or ㄹ (한화로)
  const last = written[j - 1] ?? '';
  if (KOREAN_ROAD.test(joined) && /^[\u11a8-\u11ae\u11b0-\u11c2]$/u.test(last)) return false;
  return !everyday || KOREAN_BUSINESS.test(joined);
}

/** The words of a text as the matcher reads them: CJK runs split a character a word (see pieces). */
function splitWords(w: { words: string[]; starts: boolean[] }): { words: string[]; starts: boolean[]; inside: boolean[] } {
  const words: string[] = [];
  const starts: boolean[] = [];
  /** The piece is not the first of its word. */
  const inside: boolean[] = [];
  w.words.forEach((word, i) => pieces(word).forEach((p, k) => (words.push(p), starts.push(k === 0 && w.starts[i]!), inside.push(k > 0))));
  return { words, starts, inside };
}

/**
 * A title-cased text ("How to Hit the Target Every Time", or all in capitals): three or more words that are
 * not function words, three in four of them or more capitalised. There a capital says nothing of a name.
 */
function isTitleCase(words: readonly string[]): boolean {
  let upper = 0;
  let lower = 0;
  for (const w of words) {
    if (COMMON.has(w.toLowerCase())) continue;
    if (/^\p{Lu}/u.test(w)) upper++;
    else if (/^\p{Ll}/u.test(w)) lower++;
  }
  return upper >= 3 && upper >= 3 * lower;
}
