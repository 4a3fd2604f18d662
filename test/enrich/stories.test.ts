import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  PosWords,
  STORY_THRESHOLD,
  StoryIndex,
  foldInflection,
  isBoilerplateTitle,
  replayStories,
  storyKeys,
  storySignature,
  storyTokens,
  stripPublisherSuffix,
  type KnownStory,
  type StoryInput,
} from '../../src/enrich/stories.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface FixtureItem extends StoryInput {
  /** The true story. */
  story: string;
  source: string;
}

const fixture: FixtureItem[] = (
  JSON.parse(readFileSync(new URL('../../fixtures/stories/syndicated.json', import.meta.url), 'utf8')) as {
    items: (Omit<FixtureItem, 'publishedAt'> & { publishedAt: string })[];
  }
).items.map((i) => ({ ...i, publishedAt: Date.parse(i.publishedAt) }));

/** Items the way an ingest sees them: oldest first (ties by key, so the order is total). */
const byTime = <T extends StoryInput>(items: T[]): T[] =>
  [...items].sort((a, b) => a.publishedAt - b.publishedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

/** The caller's loop: match, then join or create (addNew). Returns item key → story id. */
function cluster(items: StoryInput[], index = new StoryIndex(), firstId = 1): Map<string, number> {
  const out = new Map<string, number>();
  let next = firstId;
  for (const item of items) {
    const m = index.match(item);
    if (m) {
      index.join(m.id, item);
      out.set(item.key, m.id);
    } else {
      index.addNew(next, item);
      out.set(item.key, next++);
    }
  }
  return out;
}

interface Scores {
  pairPrecision: number;
  pairRecall: number;
  bcubedPrecision: number;
  bcubedRecall: number;
}

function score(items: FixtureItem[], got: Map<string, number>): Scores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let bp = 0;
  let br = 0;
  for (const a of items) {
    let predicted = 0;
    let truth = 0;
    let both = 0;
    for (const b of items) {
      const same = a.story === b.story;
      const joined = got.get(a.key) === got.get(b.key);
      if (joined) predicted++;
      if (same) truth++;
      if (same && joined) both++;
      if (a.key < b.key) {
        if (same && joined) tp++;
        else if (joined) fp++;
        else if (same) fn++;
      }
    }
    bp += both / predicted;
    br += both / truth;
  }
  return {
    pairPrecision: tp / (tp + fp),
    pairRecall: tp / (tp + fn),
    bcubedPrecision: bp / items.length,
    bcubedRecall: br / items.length,
  };
}

const f3 = (x: number): string => x.toFixed(3);
const groups = (got: Map<string, number>): Map<number, FixtureItem[]> => {
  const out = new Map<number, FixtureItem[]>();
  for (const item of fixture) {
    const id = got.get(item.key)!;
    out.set(id, [...(out.get(id) ?? []), item]);
  }
  return out;
};

describe('story normalisation', () => {
  it.each([
    ['Acme recalls Glide vacuums - Daily Ledger', 'Acme recalls Glide vacuums'],
    ['Acme recalls Glide vacuums | Harbor Times', 'Acme recalls Glide vacuums'],
    ['Acme recalls Glide vacuums — Allied Wire', 'Acme recalls Glide vacuums'],
    ['Acme recalls Glide vacuums – Le Journal Économique', 'Acme recalls Glide vacuums'],
    ['Acme recalls Glide vacuums (Allied Wire)', 'Acme recalls Glide vacuums'],
    ['Acme recalls Glide vacuums [Video]', 'Acme recalls Glide vacuums'],
    ['UPDATE 2-Acme recalls Glide vacuums', 'Acme recalls Glide vacuums'],
    ['EXCLUSIVE: Acme recalls Glide vacuums', 'Acme recalls Glide vacuums'],
    // only the last separator; what is left must have two words
    ['Acme - Globex deal closes - Daily Ledger', 'Acme - Globex deal closes'],
    ['Acme - Daily Ledger', 'Acme - Daily Ledger'],
    // a long tail is not a publisher
    ['Acme recalls Glide - owners are told to stop using the robot vacuum at once', 'Acme recalls Glide - owners are told to stop using the robot vacuum at once'],
    // hyphens inside words are not separators
    ['Acme-Globex merger approved', 'Acme-Globex merger approved'],
    // a wire slug in capitals glued to the headline goes; a capitalised compound stays
    ['US STOCKS-Futures edge lower after record high', 'Futures edge lower after record high'],
    ['US STOCKS SNAPSHOT-Wall St opens lower', 'Wall St opens lower'],
    ['NASA-Boeing deal signed', 'NASA-Boeing deal signed'],
    ['COVID-19 cases fall', 'COVID-19 cases fall'],
    // an outlet's name does not end in "?" or "!": such a tail is the headline
    ["Grant Gustin as 'The Flash' - First Full Costume Photo Released!", "Grant Gustin as 'The Flash' - First Full Costume Photo Released!"],
    ['The Bachelor Live Recap: Finale - Who Did Juan Pablo Choose?', 'The Bachelor Live Recap: Finale - Who Did Juan Pablo Choose?'],
  ])('stripPublisherSuffix(%j) → %j', (title, want) => {
    expect(stripPublisherSuffix(title)).toBe(want);
  });

  // Expected tokens written as plain words; the test folds them the same way (foldInflection).
  it.each([
    ['Acme Robotics recalls 50,000 Glide robot vacuums - Daily Ledger', 'acme robotics recalls 50000 glide robot vacuums'],
    // accents and case
    ['Café in Zürich reopens', 'cafe zurich reopens'],
    ['CAFE IN ZURICH REOPENS', 'cafe zurich reopens'],
    // plurals and tenses meet
    ['Acme recalled the vacuum', 'acme recall vacuum'],
    ['Acme is recalling vacuums', 'acme recall vacuum'],
    ['Companies ship batteries', 'company ship battery'],
    ['Watches and boxes', 'watch box'],
    ['Loss of status in analysis', 'loss status analysis'],
    // numbers written one way; digits kept, 1-letter words dropped
    ['50K units', '50000 units'],
    ['50 000 units', '50000 units'],
    ['50.000 units', '50000 units'],
    ['1,250,000 units', '1250000 units'],
    ['150‚000 attacks', '150000 attacks'],
    ['$179.2 bln to taxpayers', '179200000000 taxpayers'],
    ['$179.2bn to taxpayers', '179200000000 taxpayers'],
    ['$179.2 billion to taxpayers', '179200000000 taxpayers'],
    ['$600m deal', '600000000 deal'],
    ['version 1.2345m', 'version 1 2345m'],
    ['Shares fall 8% on Q3', 'shares fall 8 q3'],
    ['Plan B for version 2', 'plan version 2'],
    // possessive, elision, URL, hashtag, stopwords (en, fr, de; "die" is an English word too)
    ["Acme's CEO", 'acme ceo'],
    ["Risque d'incendie pour les robots", 'risque incendie robots'],
    ['Read https://example.com/a?b=1 now #Acme', 'read acme'],
    ['Der Rückruf und die Gefahr', 'ruckruf die gefahr'],
    ['', ''],
  ])('storyTokens(%j) = %j', (title, words) => {
    expect(storyTokens(title)).toEqual([...new Set(words.split(' ').filter(Boolean).map(foldInflection))].sort());
  });

  it.each([
    // Title Case: the words natural's English lexicon does not know as common words, in runs
    ['Is Microsoft Working On A Virtual Reality Headset?', [['microsoft']]],
    ['Why Darden Restaurants (DRI) Stock Is Lower Today', [['darden'], ['dri']]],
    ["'The Bachelor': Juan Pablo Galavis' Final Choice Revealed", [['juan', 'pablo', 'galavis']]],
    ['Noyer Says Stronger Euro Creates Unwarranted Pressure on Economy', [['noyer'], ['euro']]],
    ['Hackers Hit Mt. Gox Exchange’s CEO, Claim To Publish Evidence Of Fraud', [['mt', 'gox']]],
    ['Metro-North Worker From Yonkers Killed After Being Struck By Train', [['yonker']]],
    // sentence case: capitalised words, but not the first word of a sentence
    ['Mt. Gox faced 150000 attacks per second: Report', [['gox']]],
    ['Unemployment rate in Ohio falls to 6.7 percent in March', [['ohio']]],
    ['Juan Pablo picks Nikki Ferrell, then tells reporters he is not in love with her', [['pablo'], ['nikki', 'ferrell']]],
    // punctuation ends a name or a sentence: a comma (with or without a closing quote), an opening bracket or
    // quote before the next word, a question in quotes; with none, consecutive name words are one name
    ['Acme chief asks reporters about Initech Globex answers in court', [['initech', 'globex']]],
    ['Acme chief asks reporters about Initech, Globex answers in court', [['initech'], ['globex']]],
    ['Acme chief asks reporters about Initech," Globex answers in court', [['initech'], ['globex']]],
    ['Shares of the maker Acme Robotics slide after the Globex deal', [['acm', 'robotic'], ['globex']]],
    ['Shares of the maker Acme ‘Robotics’ slide after the Globex deal', [['acm'], ['robotic'], ['globex']]],
    ['Shares of the maker Acme (ACME) slide after the Globex deal', [['acm'], ['acm'], ['globex']]],
    ['Acme chief asks reporters "why now" Globex answers in court', [['globex']]],
    ['Acme chief asks reporters "why now?" Globex answers in court', []],
    // shouted: only numbers
    ['MT. GOX FILES FOR BANKRUPTCY', []],
  ])('names in %j', (title, names) => {
    expect(storyKeys(title).names).toEqual(names);
  });

  it('the signature is the sorted token set: word order and outlet suffix do not change it', () => {
    const a = storySignature('Glide robot vacuum recall: Acme Robotics pulls 50,000 units');
    expect(a).toBe(storySignature('Acme Robotics pulls 50,000 units: Glide robot vacuum recall'));
    expect(storySignature('Acme Robotics recalls Glide vacuums - Daily Ledger')).toBe(storySignature('Acme Robotics recalls Glide vacuums | Harbor Times'));
    expect(a).toBe([...a.split(' ')].sort().join(' '));
  });

  it.each([
    ['recalls', 'recalled', 'recalling', 'recall'],
    ['fires', 'fired', 'firing', 'fire'],
    ['stops', 'stopped', 'stopping', 'stop'],
    ['calls', 'called', 'calling', 'call'],
  ])('%s, %s, %s and %s fold together', (...forms) => {
    expect(new Set(forms.map(foldInflection)).size).toBe(1);
  });
});

describe('PosWords (natural\'s POS lexicon as the names test reads it)', () => {
  const file = createRequire(import.meta.url).resolve('natural/lib/natural/brill_pos_tagger/data/English/lexicon_from_posjs.json');
  const text = readFileSync(file, 'utf8');
  // what the names test asks of a word, read from the parsed JSON (as the lexicon was kept before) and from PosWords
  const fromJson = (lexicon: Record<string, string[]>, word: string): boolean | undefined => {
    if (Object.hasOwn(lexicon, word)) return lexicon[word]!.some((tag) => !tag.startsWith('NNP'));
    const cap = word.charAt(0).toUpperCase() + word.slice(1);
    if (Object.hasOwn(lexicon, cap)) return !lexicon[cap]![0]!.startsWith('NNP');
    return undefined;
  };
  const fromWords = (words: PosWords, word: string): boolean | undefined => {
    const own = words.get(word);
    if (own >= 0) return (own & 1) !== 0;
    const cap = words.get(word.charAt(0).toUpperCase() + word.slice(1));
    return cap >= 0 ? (cap & 2) !== 0 : undefined;
  };

  it('answers as the parsed JSON does for every word of the lexicon, in every case, and for words it lacks', () => {
    const lexicon = JSON.parse(text) as Record<string, string[]>;
    const words = PosWords.fromJson(text);
    let asked = 0;
    const differ: string[] = [];
    for (const key of Object.keys(lexicon)) {
      if (key === '') continue;
      for (const w of [key, key.toLowerCase(), key.toUpperCase(), key.charAt(0).toUpperCase() + key.slice(1), `${key}s`, key.slice(0, -1), `${key}x`]) {
        if (w === '') continue;
        asked++;
        if (fromJson(lexicon, w) !== fromWords(words, w)) differ.push(w);
      }
    }
    expect(asked).toBeGreaterThan(600_000);
    expect(differ).toEqual([]);
    // escaped words, names only, names and nouns, and what a plain object has of its own
    expect(['Hawaiian/Japanese', '"', 'Sun-3\\', 'parker', 'Parker', 'walker', 'Sony', 'unveils', 'constructor', 'toString', '__proto__'].map((w) => fromWords(words, w))).toEqual(
      ['Hawaiian/Japanese', '"', 'Sun-3\\', 'parker', 'Parker', 'walker', 'Sony', 'unveils', 'constructor', 'toString', '__proto__'].map((w) => fromJson(lexicon, w)),
    );
  });

  it('reads escapes, white space and a word written twice (the last counts) as JSON.parse does; anything else is an error', () => {
    const words = PosWords.fromJson('{ "a\\"b": ["NNP"],"x\\u0079": [ "NN", "NNP" ] , "Zed":["NNP", "VB"], "Zed": ["VB"], "\\\\NNP": ["\\\\NNP"], "N": ["\\u004eNP"] }');
    expect([words.get('a"b'), words.get('xy'), words.get('Zed'), words.get('\\NNP'), words.get('N'), words.get('zed'), words.get('a')]).toEqual([0, 3, 3, 3, 0, -1, -1]);
    for (const bad of ['', '[]', '{"a": "NN"}', '{"a": [1]}', '{"a" ["NN"]}', '{"a": ["NN"', '{"a": ["\\N"]}']) expect(() => PosWords.fromJson(bad)).toThrow(SyntaxError);
  });
});

describe('StoryIndex on the syndicated-story fixture', () => {
  const items = byTime(fixture);
  const got = cluster(items);
  const s = score(fixture, got);

  it('reports pairwise and B-cubed precision/recall, and the threshold sweep', () => {
    const lines = [`stories fixture (${fixture.length} items, ${new Set(fixture.map((i) => i.story)).size} stories), threshold ${STORY_THRESHOLD}:`];
    lines.push(`  pairwise P ${f3(s.pairPrecision)} R ${f3(s.pairRecall)}   B-cubed P ${f3(s.bcubedPrecision)} R ${f3(s.bcubedRecall)}`);
    for (const threshold of [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8]) {
      const t = score(fixture, cluster(items, new StoryIndex({ threshold })));
      lines.push(`  threshold ${threshold.toFixed(2)}: pairwise P ${f3(t.pairPrecision)} R ${f3(t.pairRecall)}   B-cubed P ${f3(t.bcubedPrecision)} R ${f3(t.bcubedRecall)}`);
    }
    // Order sensitivity (printed only): a story is its first headline, so shuffled input does worse.
    const shuffled = Array.from({ length: 20 }, (_, seed) => {
      const rand = mulberry32(seed + 1);
      const order = [...fixture];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      return score(fixture, cluster(order));
    });
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const p = shuffled.map((x) => x.pairPrecision);
    const r = shuffled.map((x) => x.pairRecall);
    lines.push(`  20 shuffled orders: pairwise P median ${f3(median(p))} min ${f3(Math.min(...p))}, R median ${f3(median(r))} min ${f3(Math.min(...r))}`);
    console.log(lines.join('\n'));
    // Measured: pairwise 1.000 / 0.942, B-cubed 1.000 / 0.886. Precision has to stay perfect on this
    // fixture (every merge in it is a wrong one: a follow-up or a different story swallowed); recall
    // may lose one more small story's pair (~0.016 pairwise) before failing. B-cubed recall counts each
    // item equally, so the hard rewrites of the small follow-up stories ("CEO" / "chief executive",
    // "shares" / "stock") weigh more there: its bar is lower.
    expect(s.pairPrecision).toBeGreaterThanOrEqual(0.99);
    expect(s.pairRecall).toBeGreaterThanOrEqual(0.92);
    expect(s.bcubedPrecision).toBeGreaterThanOrEqual(0.99);
    expect(s.bcubedRecall).toBeGreaterThanOrEqual(0.86);
  });

  it('the syndicated story is one cluster, with its echo and its distinct sources', () => {
    const recall = fixture.filter((i) => i.story === 'glide-recall');
    const ids = new Set(recall.map((i) => got.get(i.key)));
    expect(ids.size).toBe(1);
    const members = groups(got).get([...ids][0]!)!;
    expect(members.map((i) => i.key).sort()).toEqual(recall.map((i) => i.key).sort());
    expect(members.length).toBe(18); // echo: copies
    expect(new Set(members.map((i) => i.sourceKey)).size).toBe(17); // Meridian Press ran it twice
  });

  it('different stories stay apart, follow-ups with the same words included', () => {
    for (const [id, members] of groups(got)) {
      expect(new Set(members.map((i) => i.story)), `cluster ${id}: ${members.map((i) => i.key).join(', ')}`).toHaveProperty('size', 1);
    }
    const recallId = got.get('glide-recall-1');
    for (const story of ['glide-award', 'shares-fall', 'analyst-cuts', 'regulator-probe', 'firmware-fix', 'globex-heaters', 'glide-hot', 'glide-firmware-hn']) {
      for (const item of fixture.filter((i) => i.story === story)) expect(got.get(item.key), item.key).not.toBe(recallId);
    }
  });

  it('the time window separates the weekly template', () => {
    const weeks = ['watch-nov-02', 'watch-nov-09', 'watch-nov-16'].map((story) => new Set(fixture.filter((i) => i.story === story).map((i) => got.get(i.key))));
    for (const w of weeks) expect(w.size).toBe(1);
    expect(new Set(weeks.map((w) => [...w][0])).size).toBe(3);
    // ... and the product launch a week before the recall is its own story
    expect(got.get('glide-launch-1')).not.toBe(got.get('glide-recall-1'));
  });

  it('is deterministic: the same input order gives the same clusters and similarities', () => {
    const run = (): string => {
      const index = new StoryIndex();
      return items
        .map((item, n) => {
          const m = index.match(item);
          if (m) index.touch(m.id, item.publishedAt);
          else index.addNew(1000 + n, item);
          return `${item.key}:${m ? `${m.id}@${m.similarity}` : 'new'}`;
        })
        .join(' ');
    };
    expect(run()).toBe(run());
  });

  it('gives the same clusters when stories are persisted and reloaded half-way (a second ingest run)', () => {
    const half = Math.floor(items.length / 2);
    const first = new StoryIndex();
    const before = cluster(items.slice(0, half), first);
    // What the store would keep per story: id, signature of its first item, first and last time.
    const stories = new Map<number, KnownStory>();
    for (const item of items.slice(0, half)) {
      const id = before.get(item.key)!;
      const known = stories.get(id);
      if (known === undefined) stories.set(id, { id, signature: storySignature(item.title), firstAt: item.publishedAt, lastAt: item.publishedAt });
      else known.lastAt = Math.max(known.lastAt, item.publishedAt);
    }
    const second = new StoryIndex();
    for (const story of stories.values()) second.add(story);
    const after = cluster(items.slice(half), second, Math.max(...stories.keys()) + 1);
    expect(new Map([...before, ...after])).toEqual(got);
  });
});

const item = (key: string, title: string, at: number): StoryInput => ({ key, title, sourceKey: `${key}.example`, publishedAt: at });

describe('replayStories (a fetch replays what came in, in canonical order)', () => {
  const items = byTime(fixture);
  const MEMORY = 30 * DAY;
  /** item key → story, with new stories named by their founder's key. */
  const named = (list: StoryInput[], r: ReturnType<typeof replayStories>, knownName = (id: number) => `known:${id}`): Map<string, string> =>
    new Map(list.map((it, i) => [it.key, r.story[i]! >= 0 ? knownName(r.story[i]!) : list[r.founders[-r.story[i]! - 1]!]!.key]));

  it('is the index’s own pass over the items in that order', () => {
    const r = replayStories([], items, { memoryMs: MEMORY });
    const ours = named(items, r);
    const theirs = cluster(items);
    for (const a of items) for (const b of items) expect(ours.get(a.key) === ours.get(b.key), `${a.key} / ${b.key}`).toBe(theirs.get(a.key) === theirs.get(b.key));
    expect(r.signatures).toEqual(r.founders.map((i) => storySignature(items[i]!.title)));
  });

  // 60 days, 40 headlines a day (made-up words, a few of them common to many days so that what weighs
  // tokens matters), each with a copy an hour later and a rewrite the next day
  const longReplay = (): StoryInput[] => {
    const syl = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'te', 'vo', 'zi', 'pa', 'do', 'fe', 'gu', 'hi', 'ja', 'be'];
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const word = () => Array.from({ length: 3 }, () => syl[Math.floor(rnd() * syl.length)]).join('');
    const common = Array.from({ length: 12 }, word);
    const long: StoryInput[] = [];
    for (let d = 0; d < 60; d++) {
      for (let k = 0; k < 40; k++) {
        const words = [...Array.from({ length: 5 }, word), common[Math.floor(rnd() * common.length)]!, common[Math.floor(rnd() * common.length)]!];
        const title = words.join(' ');
        long.push(item(`d${d}-${k}`, title, d * DAY + k * 60_000));
        long.push({ ...item(`d${d}-${k}-copy`, title, d * DAY + k * 60_000 + 3_600_000), url: `https://news.example/${d}/${k}` });
        long.push(item(`d${d}-${k}-rewrite`, `${words.slice(0, 4).join(' ')} ${word()} ${words[5]}`, d * DAY + k * 60_000 + 20 * 3_600_000));
      }
    }
    return long.sort((a, b) => a.publishedAt - b.publishedAt || a.key.localeCompare(b.key));
  };

  it('retires the stories out of reach without changing any answer: the same stories as an index that keeps them whole, in far less memory', () => {
    const long = longReplay();
    // the caller's loop on a plain index, forgetting only what memoryMs forgets
    const whole = new StoryIndex();
    let day = -Infinity;
    let next = 0;
    let wholeBytes = 0;
    const expected = long.map((it) => {
      const d = Math.floor(it.publishedAt / DAY) * DAY;
      if (d > day) whole.prune(d - MEMORY);
      day = d;
      const m = whole.match(it);
      if (m) whole.join(m.id, it);
      else whole.addNew(-++next, it);
      wholeBytes = Math.max(wholeBytes, whole.bytes);
      return m ? m.id : -next;
    });
    const r = replayStories([], long, { memoryMs: MEMORY });
    expect(r.story).toEqual(expected);
    expect(r.founders.length).toBeGreaterThan(1000);
    // 30 days of stories whole, against two or three days of them whole and the rest retired
    expect(r.peakBytes!).toBeLessThan(wholeBytes / 2);
  });

  it('keeps within maxBytes on a long replay: past it the stories last active longest ago go, and copies still join their story', () => {
    const long = longReplay();
    const f = replayStories([], long, { memoryMs: MEMORY });
    const maxBytes = 100_000;
    expect(f.peakBytes!).toBeGreaterThan(2 * maxBytes);
    const b = replayStories([], long, { memoryMs: MEMORY, maxBytes });
    // at most the bound and what one item adds (a story, its headline, tokens and URL: well under 4 KB)
    expect(b.peakBytes!).toBeLessThanOrEqual(maxBytes + 4_000);
    const bounded = named(long, b);
    // the stories in reach of an item are the last to go: an hour's copy still joins its story...
    for (const it of long) if (it.key.endsWith('-copy')) expect(bounded.get(it.key)).toBe(it.key.replace('-copy', ''));
    // ...while the rewrites 20 hours on, out of a bound this small, start stories of their own
    const unbounded = named(long, f);
    const rewrites = long.filter((it) => it.key.endsWith('-rewrite'));
    const joined = (m: Map<string, string>) => rewrites.filter((it) => m.get(it.key) === it.key.replace('-rewrite', '')).length;
    expect(joined(unbounded)).toBeGreaterThan(rewrites.length / 2);
    expect(joined(bounded)).toBeLessThan(joined(unbounded));
    // the same rule on the same items gives the same stories
    expect(replayStories([], long, { memoryMs: MEMORY, maxBytes }).story).toEqual(b.story);
  });

  it.each([0.2, 0.4, 0.5, 0.6, 0.8])(
    'replaying from a cut (at %f of the items) after the stories founded before it, cut back to then, gives what one pass gives',
    (at) => {
      const full = replayStories([], items, { memoryMs: MEMORY });
      const whole = named(items, full);
      const cut = items[Math.floor(items.length * at)]!.publishedAt;
      const before = items.filter((it) => it.publishedAt < cut);
      const after = items.filter((it) => it.publishedAt >= cut);
      // what the store keeps of the stories founded before the cut: id, signature, first and last time then, its items' titles
      const known = new Map<number, KnownStory & { members: string[] }>();
      before.forEach((it, i) => {
        const s = full.story[i]!;
        const id = -s; // the k-th new story as id k + 1
        const k = known.get(id);
        if (k) {
          k.lastAt = it.publishedAt;
          k.members.push(it.title);
        } else known.set(id, { id, signature: full.signatures[-s - 1]!, firstAt: it.publishedAt, lastAt: it.publishedAt, members: [it.title] });
      });
      const ordered = [...known.values()].sort((a, b) => a.firstAt - b.firstAt || (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0));
      const r = replayStories(ordered, after, { memoryMs: MEMORY });
      const rest = named(after, r, (id) => before[full.founders[id - 1]!]!.key);
      for (const it of after) expect(rest.get(it.key), it.key).toBe(whole.get(it.key));
    },
  );

  it('puts items with one canonical URL in one story whatever their titles, while it is open; a known story carries its URLs', () => {
    const T0 = Date.parse('2026-11-18T12:00:00Z');
    const at = (key: string, title: string, t: number, url: string | null): StoryInput => ({ ...item(key, title, t), url });
    const list = [
      at('fake', 'Acme goes bankrupt overnight', T0, 'https://news.example/a'),
      at('real', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0 + 60_000, 'https://news.example/a'),
      at('other', 'Northwind cancels flights after outage', T0 + 120_000, 'https://news.example/b'),
      // three days on, the story is closed: the URL alone does not join it
      at('late', 'Acme goes bankrupt overnight, a reader asks', T0 + 3 * DAY, 'https://news.example/a'),
    ];
    const r = replayStories([], list, { memoryMs: MEMORY });
    expect(r.story.slice(0, 3)).toEqual([-1, -1, -2]);
    expect(r.story[3]).not.toBe(-1);
    // the same from a known story holding the first item
    const known: KnownStory = { id: 7, signature: storySignature(list[0]!.title), firstAt: T0, lastAt: T0, members: [list[0]!.title], urls: ['https://news.example/a'] };
    expect(replayStories([known], list.slice(1, 2), { memoryMs: MEMORY }).story).toEqual([7]);
  });

  it('drops stories last active more than memoryMs before an item’s day: they no longer weigh its words', () => {
    const at = (d: number, h = 12) => Date.UTC(2026, 9, 1 + d, h);
    // five old stories full of the same words make them weigh little...
    const old: KnownStory[] = Array.from({ length: 5 }, (_, i) => ({
      id: i + 1,
      signature: storySignature(`Acme Robotics Glide robot vacuum review part${i}`),
      firstAt: at(0),
      lastAt: at(0),
    }));
    const run = (day: number, memoryMs: number) =>
      replayStories(
        old,
        [item('a', 'Acme Robotics recalls Glide robot vacuums over battery fire risk', at(day)), item('b', 'Acme Robotics shares drop as Glide robot vacuum recall widens', at(day, 13))],
        { memoryMs },
      ).story;
    // ...so the follow-up is a story of its own while they count, and joins the recall once they are forgotten
    expect(run(10, 30 * DAY)).toEqual([-1, -2]);
    expect(run(10, 5 * DAY)).toEqual([-1, -1]);
    // by the items' own days, not by when the replay runs
    expect(run(40, 30 * DAY)).toEqual([-1, -1]);
  });
});

describe('StoryIndex', () => {
  const item = (key: string, title: string, at: number): StoryInput => ({ key, title, sourceKey: `${key}.example`, publishedAt: at });
  const T0 = Date.parse('2026-11-18T12:00:00Z');

  it('joins a copy within the window of the story, measured from its last item', () => {
    const index = new StoryIndex();
    index.addNew(1, item('a', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0));
    expect(index.match(item('b', 'Acme Robotics recalls 50,000 Glide robot vacuums - Daily Ledger', T0 + 47 * HOUR))).toEqual({ id: 1, similarity: 1 });
    expect(index.match(item('c', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0 + 49 * HOUR))).toBeNull();
    expect(index.match(item('d', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0 - 49 * HOUR))).toBeNull();
    index.touch(1, T0 + 30 * HOUR);
    expect(index.match(item('e', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0 + 47 * HOUR))?.id).toBe(1);
    const narrow = new StoryIndex({ windowMs: HOUR });
    narrow.addNew(1, item('a', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0));
    expect(narrow.match(item('f', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0 + 2 * HOUR))).toBeNull();
    expect(narrow.match(item('g', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0 + HOUR / 2))?.id).toBe(1);
  });

  it('a story takes items for 48 hours from its first: a copy after that starts a follow-up story, linked to it', () => {
    const index = new StoryIndex();
    index.addNew(1, item('a', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0));
    index.join(1, item('b', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0 + 40 * HOUR));
    // 9 hours after its last copy, but 49 after its first: the story is closed
    expect(index.match(item('c', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0 + 49 * HOUR))).toBeNull();
    expect(index.followUpOf()).toBe(1);
    index.addNew(2, item('c', 'Acme Robotics recalls 50,000 Glide robot vacuums', T0 + 49 * HOUR));
    expect(index.match(item('d', 'Acme Glide robot vacuum recall reaches 50,000 units', T0 + 50 * HOUR))?.id).toBe(2);
    // an unrelated headline follows up nothing
    expect(index.match(item('e', 'Globex opens a plant in Ohio', T0 + 50 * HOUR))).toBeNull();
    expect(index.followUpOf()).toBeNull();
    expect(() => new StoryIndex({ lifeMs: -1 })).toThrow(RangeError);
  });

  it('matches the whole story: a copy of a later rewrite joins the story the rewrite joined', () => {
    const index = new StoryIndex();
    index.addNew(1, item('a', 'Filming begins on Star Wars: Episode VII', T0));
    const rewrite = item('b', "'Star Wars: Episode VII' begins filming in London", T0 + HOUR);
    expect(index.match(rewrite)?.id).toBe(1);
    index.join(1, rewrite);
    // shares only "star", "wars", "episode", "vii", "london" with the first headline, but is a copy of the second
    expect(index.match(item('c', "Star Wars: Episode VII begins filming in London's Pinewood studios", T0 + 2 * HOUR))?.id).toBe(1);
  });

  it.each([
    ['150k and 150000', 'MtGox faced 150k DDoS attacks per second says report', 'Bitcoin exchange MtGox faced 150000 attacks per second'],
    ['$600m and $600 million', 'Acme buys Globex robotics unit for $600m, sources say', 'Acme Robotics to buy Globex robotics unit for $600 million'],
  ])('a number written two ways is one number, not two that veto a merge: %s', (_what, a, b) => {
    const index = new StoryIndex();
    index.addNew(1, item('a', a, T0));
    expect(index.match(item('b', b, T0 + HOUR))?.id).toBe(1);
  });

  it('a copy inside a later, longer rewrite joins through it; a later headline inside a longer follow-up does not pull it in', () => {
    const index = new StoryIndex();
    index.addNew(1, item('a', 'Mt. Gox seeks court shield during Japan bankruptcy', T0));
    index.join(1, item('b', 'Bitcoin exchange Mt. Gox files for US bankruptcy protection after hack', T0 + 60_000));
    // every word of it is in the rewrite (Jaccard 5/8), only three in the first headline
    expect(index.match(item('c', 'Mt. Gox files for US bankruptcy protection', T0 + 120_000))?.id).toBe(1);

    const recall = new StoryIndex();
    recall.addNew(1, item('a', 'Acme Robotics recalls 50,000 Glide robot vacuums over battery fire risk', T0));
    recall.join(1, item('b', 'Acme Robotics recalls Glide vacuums', T0 + 60_000));
    // the short rewrite is all inside this headline, but this one says something else
    expect(recall.match(item('c', 'Acme Robotics shares fall 8% after Glide vacuum recall', T0 + 120_000))).toBeNull();
  });

  it.each([
    ['a short headline needs Jaccard-level evidence', 'Windows Phone 8.1 update', 'Chinese government bans Windows Phone 8.1 update on state computers'],
    ['two tickers', 'Why Darden Restaurants (DRI) Stock Is Lower Today', 'Why Walmart (WMT) Stock Is Lower Today'],
    ['two places and two numbers', 'Unemployment rate in Ohio falls to 6.7 percent in March', 'Unemployment rate in Texas falls to 5.1 percent in March'],
  ])('does not merge look-alikes: %s', (_what, a, b) => {
    const index = new StoryIndex();
    index.addNew(1, item('a', a, T0));
    expect(index.match(item('b', b, T0 + HOUR))).toBeNull();
    // while a copy of either still joins
    expect(index.match(item('c', `${a} - Daily Ledger`, T0 + HOUR))?.id).toBe(1);
  });

  // Title Case headlines: every word is capitalised, so a name is a word that is not a common English word
  it.each([
    ['two companies with one product', 'Is Microsoft Working On A Virtual Reality Headset?', 'Sony Unveils Virtual Reality Headset'],
    ['two companies, one template', 'Why Darden Restaurants (DRI) Stock Is Lower Today After Earnings Miss', 'Why Walmart Stock Is Lower Today After Earnings Miss'],
    ['two streaming services', 'Netflix Stock Jumps After Strong Subscriber Growth Report', 'Spotify Stock Jumps After Strong Subscriber Growth Report'],
    ['two states', 'Unemployment Rate In Ohio Falls To Lowest Level In Five Years', 'Unemployment Rate In Texas Falls To Lowest Level In Five Years'],
    ['one leader meets two others', 'Obama Meets Putin Over Crimea Crisis', 'Obama Meets Merkel Over Crimea Crisis'],
    ['two carmakers', 'Toyota Recalls Millions Of Vehicles Over Faulty Airbags', 'Honda Recalls Millions Of Vehicles Over Faulty Airbags'],
    ['two launches', 'Amazon Launches Streaming Music Service For Prime Members', 'Spotify Launches Streaming Music Service For Premium Members'],
  ])('does not merge Title Case look-alikes naming different things: %s', (_what, a, b) => {
    const index = new StoryIndex();
    index.addNew(1, item('a', a, T0));
    expect(index.match(item('b', b, T0 + HOUR))).toBeNull();
    // the same words without their capitals say nothing of names, and merge: the names are what keeps them apart
    expect(index.match(item('c', b.toLowerCase(), T0 + HOUR))?.id).toBe(1);
  });

  it("does not merge the issue's template headlines: Why Darden Restaurants (DRI) / Why Walmart (WMT) Stock Is Lower Today", () => {
    const index = new StoryIndex();
    index.addNew(1, item('a', 'Why Darden Restaurants (DRI) Stock Is Lower Today', T0));
    expect(index.match(item('b', 'Why Walmart (WMT) Stock Is Lower Today', T0 + HOUR))).toBeNull();
    expect(index.match(item('c', 'Why Darden Restaurants (DRI) Stock Is Lower Today - Motley Ledger', T0 + HOUR))?.id).toBe(1);
  });

  it.each([
    ['a name only one side gives', 'Sony Unveils Virtual Reality Headset', 'Sony Unveils Project Morpheus Virtual Reality Headset For PS4'],
    ['common words changed', 'Darden Restaurants Stock Falls After Weak Quarterly Results', 'Darden Restaurants Shares Fall After Weak Quarterly Results'],
    ['one name in full and in part, each side with another', 'Juan Pablo Galavis Picks Nikki In Bachelor Finale', 'Bachelor Finale: Juan Pablo Picks Nikki Ferrell'],
    ['a name misspelt', 'Mark Karpeles Targeted By Hackers After Mt. Gox Collapse', 'Hackers Target Mark Karpales After Mt. Gox Collapse'],
    ['a name written as one word', 'Mt. Gox Files For Chapter 15 Bankruptcy Protection In US', 'MtGox Files For Chapter 15 Bankruptcy Protection In US'],
    ['Title Case and sentence case', 'Sony Unveils Virtual Reality Headset For PlayStation 4', 'Sony unveils virtual reality headset for PlayStation 4'],
    ['a comparative', 'Noyer Says Strong Euro Creates Unwarranted Economic Pressure', 'Noyer Says Stronger Euro Creates Unwarranted Pressure on Economy'],
    ['a plural and word order', 'Bitcoin Exchange Mt. Gox Files For Bankruptcy In The US', 'Mt. Gox Bitcoin Exchange Files For US Bankruptcy Protection'],
  ])('merges Title Case rewrites of one story: %s', (_what, a, b) => {
    const index = new StoryIndex();
    index.addNew(1, item('a', a, T0));
    expect(index.match(item('b', b, T0 + HOUR))?.id).toBe(1);
  });

  it('a name is checked against the whole story: an item naming someone the story has named joins through another headline', () => {
    const index = new StoryIndex();
    index.addNew(1, item('a', 'The CW Reveals Full Flash Costume', T0));
    const gustin = item('c', 'Grant Gustin Reveals Full Flash Costume', T0 + 2 * HOUR);
    // CW against Gustin: each names something the other does not
    expect(index.match(gustin)).toBeNull();
    // once a headline of the story names both, the item joins through the first headline (the later one covers too little of it)
    index.join(1, item('b', 'Grant Gustin Cast As The Flash For The CW', T0 + HOUR));
    expect(index.match(gustin)).toEqual({ id: 1, similarity: expect.closeTo(0.8, 6) as number });
  });

  it.each(['The article requested cannot be found!', 'Page not found', '404 Not Found', 'Posted by Parvez Jabri', 'Just a moment...'])(
    'boilerplate never forms a story: %s',
    (title) => {
      expect(isBoilerplateTitle(title)).toBe(true);
      const index = new StoryIndex();
      index.addNew(1, item('a', title, T0));
      expect(index.match(item('b', title, T0 + HOUR))).toBeNull();
      expect(storySignature(title)).toBe('');
    },
  );

  it.each(['Acme Robotics recalls 50,000 Glide robot vacuums', 'Windows Phone 8.1 review', 'Metro-North worker killed by train in Harlem'])('is not boilerplate: %s', (title) => {
    expect(isBoilerplateTitle(title)).toBe(false);
  });

  it('tokens computed beforehand (in a parse worker) cluster exactly as the titles do', () => {
    const titles = [
      'Acme Robotics recalls 50,000 Glide robot vacuums',
      'Acme Robotics recalls 50,000 Glide robot vacuums - Daily Ledger',
      'Glide robot vacuums recalled by Acme Robotics',
      'Northwind cancels flights after outage',
      'Northwind flights cancelled after an outage hits systems',
      'Acme Robotics recalls Glide vacuums over fire risk',
    ];
    const run = (withTokens: boolean) => {
      const index = new StoryIndex();
      let next = 1;
      return titles.map((title, i) => {
        const it = { ...item(String(i), title, T0 + i * HOUR), ...(withTokens ? { tokens: storyTokens(title) } : {}) };
        const found = index.match(it)?.id;
        if (found !== undefined) return found;
        index.addNew(next, it);
        return next++;
      });
    };
    const plain = run(false);
    expect(run(true)).toEqual(plain);
    expect(new Set(plain).size).toBeLessThan(titles.length);
  });

  it('needs three shared tokens or the same token set', () => {
    const index = new StoryIndex();
    index.addNew(1, item('a', 'Glide recall', T0));
    index.addNew(2, item('b', 'Acme Glide recall widens', T0));
    expect(index.match(item('c', 'Glide recall', T0))?.id).toBe(1);
    expect(index.match(item('d', 'Glide recall spreads', T0))).toBeNull();
    expect(index.match(item('e', '', T0))).toBeNull();
  });

  it('picks the most similar story', () => {
    const index = new StoryIndex();
    index.addNew(1, item('a', 'Acme Robotics recalls Glide robot vacuums over battery fire risk', T0));
    index.addNew(2, item('b', 'Acme Robotics Glide robot vacuum wins Red Dot design award', T0));
    expect(index.match(item('c', 'Acme Glide robot vacuums recalled over fire risk', T0 + HOUR))?.id).toBe(1);
    expect(index.match(item('d', 'Acme Glide robot vacuum picks up Red Dot design award', T0 + HOUR))?.id).toBe(2);
  });

  it('prune() drops stories last seen before the cut-off and keeps the rest matchable', () => {
    const index = new StoryIndex();
    index.addNew(1, item('a', 'Acme Robotics recalls Glide robot vacuums', T0));
    index.addNew(2, item('b', 'Globex recalls space heaters over fire risk', T0 + 3 * DAY));
    index.add({ id: 3, signature: storySignature('Initech opens Austin office for 200 engineers'), firstAt: T0 + 2 * DAY, lastAt: T0 + 3 * DAY });
    index.prune(T0 + DAY);
    expect(index.size).toBe(2);
    expect(index.match(item('c', 'Acme Robotics recalls Glide robot vacuums', T0 + DAY))).toBeNull();
    expect(index.match(item('d', 'Globex recalls space heaters over fire risk', T0 + 3 * DAY))?.id).toBe(2);
    expect(index.match(item('e', 'Initech opens new Austin office, hiring 200 engineers', T0 + 3 * DAY))?.id).toBe(3);
    index.addNew(4, item('f', 'Acme Robotics recalls Glide robot vacuums', T0 + 3 * DAY));
    expect(index.match(item('g', 'Acme Robotics recalls Glide robot vacuums', T0 + 3 * DAY))?.id).toBe(4);
  });

  it('evictTo() drops the stories whose last item is oldest (one lastAt together) until it holds at most the target, and no more', () => {
    const build = () => {
      const index = new StoryIndex();
      index.addNew(1, item('a', 'Acme Robotics recalls Glide robot vacuums', T0));
      index.addNew(2, item('b', 'Globex recalls space heaters over fire risk', T0 + HOUR));
      index.addNew(3, item('c', 'Initech opens Austin office for 200 engineers', T0 + HOUR));
      index.addNew(4, item('d', 'Umbrella Pharma wins approval for flu vaccine', T0 + 2 * HOUR));
      return index;
    };
    const full = build().bytes;
    const one = (() => {
      const index = new StoryIndex();
      index.addNew(4, item('d', 'Umbrella Pharma wins approval for flu vaccine', T0 + 2 * HOUR));
      return index.bytes;
    })();
    const joins = (index: StoryIndex) =>
      [
        ['Acme Robotics recalls Glide robot vacuums', 1],
        ['Globex recalls space heaters over fire risk', 2],
        ['Initech opens Austin office for 200 engineers', 3],
        ['Umbrella Pharma wins approval for flu vaccine', 4],
      ].filter(([title]) => index.match(item('x', title as string, T0 + 3 * HOUR))).map(([, id]) => id);
    const index = build();
    index.evictTo(full);
    expect(joins(index)).toEqual([1, 2, 3, 4]);
    // one byte under: the oldest goes, and only it
    index.evictTo(full - 1);
    expect(index.size).toBe(3);
    expect(index.bytes).toBeLessThanOrEqual(full - 1);
    expect(joins(index)).toEqual([2, 3, 4]);
    // the next two share their last item's time: both go, though one would be enough
    index.evictTo(index.bytes - 1);
    expect(joins(index)).toEqual([4]);
    // and what is left is what the newest alone holds, as if it had been added afresh
    expect(index.bytes).toBe(one);
  });

  it('retire() keeps the answers of every later item and the weights, but not the retired stories’ headlines', () => {
    const items = byTime(fixture);
    const half = items.findIndex((it) => it.publishedAt >= items[Math.floor(items.length / 2)]!.publishedAt);
    const a = new StoryIndex();
    const b = new StoryIndex();
    const ida = cluster(items.slice(0, half), a);
    const idb = cluster(items.slice(0, half), b);
    expect(ida).toEqual(idb);
    const before = b.bytes;
    b.retire(items[half]!.publishedAt - b.windowMs);
    expect(b.bytes).toBeLessThan(before);
    expect(b.size).toBe(a.size);
    const rest = items.slice(half);
    // a second half far enough on that most of the first half's stories are out of reach, then the same answers
    const later = rest.map((it) => ({ ...it, publishedAt: it.publishedAt + 10 * DAY }));
    b.retire(later[0]!.publishedAt - b.windowMs);
    a.prune(-Infinity);
    const answers = (index: StoryIndex) =>
      later.map((it) => {
        const m = index.match(it);
        const f = index.followUpOf();
        if (m) index.join(m.id, it);
        else index.addNew(1000 + later.indexOf(it), it);
        return [m, f];
      });
    expect(answers(b)).toEqual(answers(a));
    // pruned alike, renumbered alike: the same answers again on a third pass
    a.prune(later[0]!.publishedAt);
    b.prune(later[0]!.publishedAt);
    const third = rest.map((it) => ({ ...it, publishedAt: it.publishedAt + 11 * DAY }));
    expect(third.map((it) => b.match(it))).toEqual(third.map((it) => a.match(it)));
  });

  it('rejects options out of range', () => {
    expect(() => new StoryIndex({ threshold: 0 })).toThrow(RangeError);
    expect(() => new StoryIndex({ threshold: 1.5 })).toThrow(RangeError);
    expect(() => new StoryIndex({ windowMs: -1 })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Speed: printed, not asserted (machines differ).

/** mulberry32: small, fast, seeded. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * ~50,000 stories over 48 hours, 100,000 items: headlines of a topic name and 5–9 words drawn from a
 * 20,000-word Zipf vocabulary (so some words are in thousands of stories), a number in 30%; 60% of the
 * stories have one item, 30% two or three, 10% four to nine, copies with a word dropped or added or the
 * order changed, half with a " - Outlet" suffix. Oldest first.
 */
function syntheticItems(count: number): (StoryInput & { story: number })[] {
  const rand = mulberry32(42);
  const syllables = ['ka', 'lo', 'mi', 'ra', 'ten', 'vor', 'sil', 'dun', 'bre', 'qua', 'zo', 'pel', 'nar', 'gis', 'tor', 'wen', 'fy', 'hul', 'cre', 'dak'];
  const words: string[] = [];
  const taken = new Set<string>();
  while (words.length < 20_000) {
    let w = '';
    for (let i = 2 + Math.floor(rand() * 3); i > 0; i--) w += syllables[Math.floor(rand() * syllables.length)];
    if (taken.has(w)) continue;
    taken.add(w);
    words.push(w);
  }
  const cumulative = new Float64Array(words.length);
  let total = 0;
  for (let i = 0; i < words.length; i++) cumulative[i] = total += 1 / (i + 1);
  const zipf = (): string => {
    const r = rand() * total;
    let lo = 0;
    let hi = words.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
  const topics = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Cyberdyne', 'Soylent', 'Northwind'];
  const outlets = Array.from({ length: 200 }, (_, i) => `${words[words.length - 1 - i]} News`);
  const t0 = Date.parse('2026-11-18T00:00:00Z');
  const items: (StoryInput & { story: number })[] = [];
  for (let story = 0; items.length < count; story++) {
    const base = [topics[Math.floor(rand() * topics.length)]!];
    for (let i = 5 + Math.floor(rand() * 5); i > 0; i--) base.push(zipf());
    if (rand() < 0.3) base.push(String(Math.floor(rand() * 1000)));
    const start = t0 + Math.floor(rand() * 48 * HOUR);
    const r = rand();
    const copies = r < 0.6 ? 1 : r < 0.9 ? 2 + Math.floor(rand() * 2) : 4 + Math.floor(rand() * 6);
    for (let c = 0; c < copies && items.length < count; c++) {
      let w = base.slice();
      const v = rand();
      if (c > 0 && v < 0.3) w.splice(1 + Math.floor(rand() * (w.length - 1)), 1);
      else if (c > 0 && v < 0.5) w.push(zipf());
      else if (c > 0 && v < 0.6) w = [w[0]!, ...w.slice(1).reverse()];
      const suffix = rand() < 0.5 ? ` - ${outlets[Math.floor(rand() * outlets.length)]}` : '';
      items.push({ key: `${story}-${c}`, title: w.join(' ') + suffix, sourceKey: 'x', publishedAt: start + Math.floor(rand() * 12 * HOUR), story });
    }
  }
  return byTime(items);
}

describe('StoryIndex speed', () => {
  it('prints items/s on 100,000 synthetic items (~50,000 live stories)', () => {
    const items = syntheticItems(100_000);
    const runs: number[] = [];
    let got = new Map<string, number>();
    let stories = 0;
    for (let run = 0; run < 3; run++) {
      const index = new StoryIndex();
      const start = performance.now();
      got = cluster(items, index);
      runs.push(performance.now() - start);
      stories = index.size;
    }
    // pairwise precision/recall against the generator's stories, by contingency counts
    const pairs = (m: Map<number | string, number>): number => [...m.values()].reduce((sum, n) => sum + (n * (n - 1)) / 2, 0);
    const cells = new Map<string, number>();
    const predicted = new Map<number, number>();
    const truth = new Map<number, number>();
    for (const item of items) {
      const id = got.get(item.key)!;
      cells.set(`${id}/${item.story}`, (cells.get(`${id}/${item.story}`) ?? 0) + 1);
      predicted.set(id, (predicted.get(id) ?? 0) + 1);
      truth.set(item.story, (truth.get(item.story) ?? 0) + 1);
    }
    const tp = pairs(cells);
    const best = Math.min(...runs);
    console.log(
      `stories speed: ${items.length} items → ${stories} stories (generator: ${truth.size}); ` +
        `${runs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}; best ${Math.round((items.length / best) * 1000)} items/s; ` +
        `pairwise P ${f3(tp / pairs(predicted))} R ${f3(tp / pairs(truth))}`,
    );
    expect(got.size).toBe(items.length);
  }, 120_000);
});
