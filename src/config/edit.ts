import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document, type Scalar } from 'yaml';
import type { OpmlDocument } from './opml.js';
import { feedUrl, type Config } from './schema.js';

/** What importing a feed list adds to the config. */
export interface ImportPlan {
  /** Topic name → feed entries to add to it (a topic of whole feeds when it is new). */
  topics: Map<string, { url: string; title: string | null; tags?: string[] }[]>;
  /** Entries to add to the plain `feeds:` list, with their folders as tags. */
  feeds: { url: string; title: string | null; tags: string[] }[];
  /** URLs already configured, left as they are. */
  skipped: string[];
  /** Entries that are not http(s) feed URLs. */
  invalid: string[];
}

/**
 * Plans an import: with `as: 'topics'` each folder of the feed list becomes a topic of whole feeds (named
 * after the innermost folder; an existing topic of that name gets the feeds); feeds outside any folder, or
 * with `as: 'tags'` every feed, go to the plain feeds list, tagged with their folders.
 */
export function planImport(config: Config, opml: OpmlDocument, as: 'topics' | 'tags'): ImportPlan {
  const known = new Set([...config.feeds, ...config.topics.flatMap((t) => t.feeds)]);
  const topicNames = new Map(config.topics.map((t) => [t.name.toLowerCase(), t.name]));
  const plan: ImportPlan = { topics: new Map(), feeds: [], skipped: [], invalid: [] };
  for (const f of opml.feeds) {
    let url: string;
    try {
      const u = new URL(f.url);
      // file:// too: feeds export writes local feeds so
      if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'file:') throw new Error('scheme');
      url = u.href;
    } catch {
      plan.invalid.push(f.url);
      continue;
    }
    if (known.has(url)) {
      plan.skipped.push(url);
      continue;
    }
    known.add(url);
    const folder = f.path[f.path.length - 1];
    if (as === 'topics' && folder) {
      const existing = topicNames.get(folder.toLowerCase()) ?? folder;
      const list = plan.topics.get(existing) ?? [];
      list.push({ url, title: f.title });
      plan.topics.set(existing, list);
    } else {
      plan.feeds.push({ url, title: f.title, tags: f.path });
    }
  }
  return plan;
}

/** Applies a plan to the config file's text, keeping its comments and layout; returns the new text. */
export function applyImport(text: string, plan: ImportPlan): string {
  return editText(text, (doc, root) => {
    const entry = (f: { url: string; title: string | null; tags?: string[] }) => {
      if (!f.title && !f.tags?.length) return f.url;
      const m: Record<string, unknown> = { url: f.url };
      if (f.title) m.title = f.title;
      if (f.tags?.length) m.tags = f.tags;
      return m;
    };
    if (plan.topics.size > 0) {
      const topics = seqAt(doc, root, 'topics');
      // looked up by name once (a search per folder grows with the square of the folders)
      const byName = new Map<string, YAMLMap>();
      for (const t of topics.items) {
        if (!isMap(t)) continue;
        const key = String(t.get('name')).trim().toLowerCase(); // (as the loader reads the name: "Acme " is Acme)
        if (!byName.has(key)) byName.set(key, t);
      }
      for (const [name, feeds] of plan.topics) {
        let topic = byName.get(name.toLowerCase());
        if (!topic) {
          topic = doc.createNode({ name }) as YAMLMap;
          topics.items.push(topic);
          byName.set(name.toLowerCase(), topic);
        }
        const list = seqAt(doc, topic, 'feeds');
        for (const f of feeds) list.items.push(doc.createNode(entry(f)));
      }
    }
    if (plan.feeds.length > 0) {
      const feeds = seqAt(doc, root, 'feeds');
      for (const f of plan.feeds) feeds.items.push(doc.createNode(entry(f)));
    }
  });
}

/**
 * Edits the config file's text as a YAML document (`edit` changes `root`, the top mapping), keeping the
 * file's comments and the spacing of the lines the edit leaves alone; returns the new text.
 */
function editText(text: string, edit: (doc: Document, root: YAMLMap) => void): string {
  const doc: Document = parseDocument(text);
  if (doc.contents === null) doc.contents = doc.createNode({}); // an empty file: a block mapping, not `{...}` on one line
  const before = doc.toString(FORMAT);
  const root = doc.contents;
  if (!isMap(root)) throw new Error('the config file is not a YAML mapping');
  edit(doc, root);
  const after = keepUntouchedLines(text, before, doc.toString(FORMAT));
  // a file whose every line ends in CRLF (written on Windows) keeps them on the lines added too
  return /\r\n/.test(text) && !/(?:^|[^\r])\n/.test(text) ? after.replace(/\r?\n/g, '\r\n') : after;
}

/** A feed entry of the config: the list it is in (null: the plain `feeds:`; else its topic's name), its URL, its title there. */
export interface ListedFeed {
  url: string;
  topic: string | null;
  title: string | null;
}

/**
 * Every feed entry the config's `feeds:` lists hold (the plain one and each topic's), where it is; not the
 * URLs a topic's `sources:` build. `dir` is the config's folder (a path in the file is relative to it).
 */
export function listedFeeds(text: string, dir: string): ListedFeed[] {
  const out: ListedFeed[] = [];
  eachFeedList(parseDocument(text), (topic, list) => {
    for (const item of list.items) {
      const f = feedOf(item, dir);
      if (f) out.push({ ...f, topic });
    }
  });
  return out;
}

/** Removes the feed entries with these URLs from every `feeds:` list of the config's text; returns the new text. */
export function applyRemoveFeeds(text: string, dir: string, urls: Set<string>): string {
  return editText(text, (doc) =>
    eachFeedList(doc, (_topic, list) => {
      list.items = list.items.filter((item) => !urls.has(feedOf(item, dir)?.url ?? ''));
    }),
  );
}

/** A topic as `topics add` writes it: keywords or a query, words to exclude, search sources. */
export interface NewTopic {
  name: string;
  keywords?: string[];
  query?: string;
  exclude?: string[];
  /** Source entries as the config writes them: a name (`google-news`), `{ reddit: robotics }`, a URL. */
  sources?: (string | Record<string, string>)[];
}

/** Adds a topic at the end of the config's `topics:`; returns the new text. */
export function applyAddTopic(text: string, topic: NewTopic): string {
  return editText(text, (doc, root) => {
    const node = doc.createNode({ name: topic.name }) as YAMLMap;
    // `keywords: [acme, "acme robotics"]` on one line, as the starter config writes them
    const flow = (list: string[]) => Object.assign(doc.createNode(list) as YAMLSeq, { flow: true });
    if (topic.keywords?.length) node.set('keywords', flow(topic.keywords));
    if (topic.query !== undefined) node.set('query', topic.query);
    if (topic.exclude?.length) node.set('exclude', flow(topic.exclude));
    if (topic.sources?.length) node.set('sources', doc.createNode(topic.sources));
    seqAt(doc, root, 'topics').items.push(node);
  });
}

/** Removes the topic of this name (in any case) from the config's `topics:`, with its feeds and sources; returns the new text. */
export function applyRemoveTopic(text: string, name: string): string {
  return editText(text, (_doc, root) => {
    const topics = root.get('topics');
    if (isSeq(topics)) topics.items = topics.items.filter((t) => !(isMap(t) && String(t.get('name')).trim().toLowerCase() === name.toLowerCase()));
  });
}

/**
 * Renames the topic `from` (in any case) of the config's `topics:` to `to`, and the notify routes' `topics:`
 * entries naming it; returns the new text.
 */
export function applyRenameTopic(text: string, from: string, to: string): string {
  const same = (node: unknown) => isScalar(node) && String(node.value).trim().toLowerCase() === from.toLowerCase();
  return editText(text, (_doc, root) => {
    const topics = root.get('topics');
    // (the scalar keeps its style: a quoted name stays quoted)
    if (isSeq(topics)) for (const t of topics.items) if (isMap(t) && same(t.get('name', true))) (t.get('name', true) as Scalar).value = to;
    const notify = root.get('notify');
    const routes = isMap(notify) ? notify.get('routes') : null;
    if (!isSeq(routes)) return;
    for (const r of routes.items) {
      const named = isMap(r) ? r.get('topics', true) : null;
      for (const n of isSeq(named) ? named.items : [named]) if (same(n)) (n as Scalar).value = to;
    }
  });
}

/**
 * Calls `f` with each `feeds:` list of the document: the plain one (topic null), then each topic's. A lone
 * entry (`feeds: ./x.xml`, which the loader reads as a list of one) is made a list holding it first.
 */
function eachFeedList(doc: Document, f: (topic: string | null, list: YAMLSeq) => void): void {
  const root = doc.contents;
  if (!isMap(root)) return;
  const listAt = (map: YAMLMap) => {
    const value = map.get('feeds', true);
    return isSeq(value) ? value : isScalar(value) && value.value !== null && value.value !== '' ? seqAt(doc, map, 'feeds') : null;
  };
  const plain = listAt(root);
  if (plain) f(null, plain);
  const topics = root.get('topics');
  if (!isSeq(topics)) return;
  for (const t of topics.items) {
    if (!isMap(t)) continue;
    const list = listAt(t);
    if (list) f(String(t.get('name')).trim(), list);
  }
}

/** A feed entry's URL (as the config loader makes it) and title; null for what is no feed entry. */
function feedOf(item: unknown, dir: string): { url: string; title: string | null } | null {
  const js = isMap(item) || isScalar(item) ? (item.toJSON() as unknown) : item;
  const raw = js !== null && typeof js === 'object' ? (js as Record<string, unknown>).url : js;
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const url = feedUrl(String(raw).trim(), dir);
  if (!url) return null;
  const title = js !== null && typeof js === 'object' ? (js as Record<string, unknown>).title : null;
  return { url, title: typeof title === 'string' && title.trim() ? title.trim() : null };
}

const FORMAT = { lineWidth: 0, flowCollectionPadding: false } as const;

/** A line with the spaces inside it dropped (its indentation kept): how `yaml` may re-space a line it re-prints. */
const shape = (line: string) => /^\s*/.exec(line)![0] + line.trimStart().replace(/\s+/g, '');

/**
 * `yaml` re-prints every line (`{ a: 1 }   # c` becomes `{a: 1} # c`). Puts the file's own text back on each
 * line the import left alone: `printed` is the file as `yaml` prints it unchanged, one line per line of
 * `text` (else nothing is put back), and every line of it that `after` still has, in order, is that
 * file line. Lines added or changed stay as `yaml` printed them.
 */
function keepUntouchedLines(text: string, printed: string, after: string): string {
  const own = text.split('\n');
  const old = printed.split('\n');
  if (text.trim() === '' || own.length !== old.length || old.some((l, i) => shape(l) !== shape(own[i]!))) return after;
  const out = after.split('\n');
  const at = new Map<string, number[]>();
  out.forEach((l, k) => (at.get(l) ?? at.set(l, []).get(l)!).push(k));
  const next = new Map<string, number>();
  let j = 0;
  for (let i = 0; i < old.length; i++) {
    const list = at.get(old[i]!);
    if (!list) continue; // a line the import changed
    let p = next.get(old[i]!) ?? 0;
    while (p < list.length && list[p]! < j) p++;
    next.set(old[i]!, p);
    if (p === list.length) continue;
    const k = list[p]!;
    out[k] = own[i]!;
    j = k + 1;
  }
  const kept = out.join('\n');
  // a safeguard: what is written means what yaml printed, or yaml's print is written
  return isDeepStrictEqual(parseDocument(kept).toJS(), parseDocument(after).toJS()) ? kept : after;
}

/** The list under `key` of `map`, made if there is none; a lone entry written there (`feeds: ./x.xml`) is kept as its first. */
function seqAt(doc: Document, map: YAMLMap, key: string): YAMLSeq {
  const value = map.get(key, true);
  if (isSeq(value)) return value;
  const seq = doc.createNode([]) as YAMLSeq;
  if (isScalar(value) && value.value !== null && value.value !== '') seq.items.push(value);
  map.set(key, seq);
  return seq;
}
