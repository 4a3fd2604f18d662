import { isDeepStrictEqual } from 'node:util';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import type { OpmlDocument } from './opml.js';
import type { Config } from './schema.js';

/** What importing a feed list adds to the config. */
export interface ImportPlan {
  /** Topic name → feed entries to add to it (a topic of whole feeds when it is new). */
  topics: Map<string, { url: string; title: string | null }[]>;
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
  const doc: Document = parseDocument(text);
  if (doc.contents === null) doc.contents = doc.createNode({}); // an empty file: a block mapping, not `{...}` on one line
  const before = doc.toString(FORMAT);
  const root = doc.contents;
  if (!isMap(root)) throw new Error('the config file is not a YAML mapping');
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
    for (const t of topics.items) if (isMap(t) && !byName.has(String(t.get('name')).toLowerCase())) byName.set(String(t.get('name')).toLowerCase(), t);
    for (const [name, feeds] of plan.topics) {
      let topic = byName.get(name.toLowerCase());
      if (!topic) {
        topic = doc.createNode({ name }) as YAMLMap;
        topics.items.push(topic);
        byName.set(name.toLowerCase(), topic);
      }
      let list = topic.get('feeds');
      if (!isSeq(list)) {
        list = doc.createNode([]) as YAMLSeq;
        topic.set('feeds', list);
      }
      for (const f of feeds) (list as YAMLSeq).items.push(doc.createNode(entry(f)));
    }
  }
  if (plan.feeds.length > 0) {
    const feeds = seqAt(doc, root, 'feeds');
    for (const f of plan.feeds) feeds.items.push(doc.createNode(entry(f)));
  }
  return keepUntouchedLines(text, before, doc.toString(FORMAT));
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

function seqAt(doc: Document, root: YAMLMap, key: string): YAMLSeq {
  let seq = root.get(key);
  if (!isSeq(seq)) {
    seq = doc.createNode([]) as YAMLSeq;
    root.set(key, seq);
  }
  return seq as YAMLSeq;
}
