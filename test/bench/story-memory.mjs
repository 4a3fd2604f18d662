#!/usr/bin/env node
// The story replay's memory alone, in process: the items local.mjs would ingest (FILES × ITEMS of the
// bench's generator, 14 days), streamed through ReplayStream in canonical order as Store.replayStories
// does, without the fetch or SQLite. Prints the stories, the most held at once, the heap after a full
// collection every --every items (its peak), CPU, and a hash of every item's assignment, so that two
// builds can be compared (--dist): the same hash means the same stories.
//
//   node --expose-gc test/bench/story-memory.mjs [--files 200] [--items 500] [--every 100000] [--dist DIR]
//     [--budget MIB]   the index's bound (ReplayOptions.maxBytes) in MiB instead of the default
//     [--nourl]        items without their URLs (what the URL map costs)
//
// The items are held compactly (a time, a title index and two small numbers each), so the harness's own
// memory is ~20 bytes an item besides the distinct titles. Needs `npm run build` (or --dist).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { renderFeed } from './feeds.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { files: { type: 'string', default: '200' }, items: { type: 'string', default: '500' }, every: { type: 'string', default: '100000' }, dist: { type: 'string' }, budget: { type: "string" }, nourl: { type: "boolean" } } });
const files = Number(values.files);
const per = Number(values.items);
const every = Number(values.every);
const dist = path.resolve(values.dist ?? path.join(ROOT, 'dist'));
const { ReplayStream } = await import(pathToFileURL(path.join(dist, 'enrich/stories.js')).href);
const { STORY_MEMORY_MS } = await import(pathToFileURL(path.join(dist, 'ingest/stories.js')).href);
if (typeof gc !== 'function') throw new Error('run with node --expose-gc');

const unesc = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const n = files * per;
const at = new Float64Array(n);
const titleOf = new Int32Array(n);
const feedOf = new Int32Array(n);
const titles = [];
const titleIds = new Map();
const links = []; // per item: its link's slug part is the title's; kept as the distinct prefix + numbers
let k = 0;
const re = /<item><title>([^<]*)<\/title><link>([^<]*)<\/link>.*?<pubDate>([^<]*)<\/pubDate>/g;
for (let f = 0; f < files; f++) {
  const xml = renderFeed(f, per);
  for (const m of xml.matchAll(re)) {
    const title = unesc(m[1]);
    let id = titleIds.get(title);
    if (id === undefined) titleIds.set(title, (id = titles.length)), titles.push(title);
    at[k] = Date.parse(m[3]);
    titleOf[k] = id;
    feedOf[k] = f;
    links[k] = unesc(m[2]).split('?')[0];
    k++;
  }
}
// links are unique per item: keep them (they are what byUrl holds), but as one string each
const order = new Int32Array(k);
for (let i = 0; i < k; i++) order[i] = i;
order.sort((a, b) => at[a] - at[b] || (links[a] < links[b] ? -1 : links[a] > links[b] ? 1 : 0));
const fresh = (text) => Buffer.from(text, 'utf8').toString('utf8');
gc();
const base = process.memoryUsage().heapUsed;
const cpu0 = process.cpuUsage();
const options = { memoryMs: STORY_MEMORY_MS };
if (values.budget) options.maxBytes = Number(values.budget) * 2 ** 20;
const stream = new ReplayStream([], options);
const hash = createHash('sha256');
const out = new Int32Array(4096);
let o = 0;
let peakHeap = 0;
let founded = 0;
for (let i = 0; i < k; i++) {
  const j = order[i];
  // fresh strings, as rows read from SQLite are (the harness's own stay out of the heap measured)
  const s = stream.push({ key: String(j), title: fresh(titles[titleOf[j]]), sourceKey: '', publishedAt: at[j], url: values.nourl ? null : fresh(links[j]) });
  if (s === -(founded + 1)) founded++;
  out[o++] = s;
  if (o === out.length) hash.update(out), (o = 0);
  if ((i + 1) % every === 0 || i + 1 === k) {
    gc();
    const h = process.memoryUsage().heapUsed - base;
    peakHeap = Math.max(peakHeap, h);
    process.stderr.write(`  ${(i + 1).toLocaleString('en-US')} items: ${Math.round(h / 2 ** 20)} MB over the items' own, ${stream.peakStories} stories at most${stream.heldBytes !== undefined ? `, ${Math.round(stream.heldBytes / 2 ** 20)} MB accounted` : ''}\n`);
  }
}
hash.update(out.subarray(0, o));
const c = process.cpuUsage(cpu0);
process.stdout.write(
  `story-memory: ${k.toLocaleString('en-US')} items, ${founded.toLocaleString('en-US')} stories, at most ${stream.peakStories.toLocaleString('en-US')} held; ` +
    `heap peak ${Math.round(peakHeap / 2 ** 20)} MB over the items'; CPU ${((c.user + c.system) / 1e6).toFixed(1)} s; assignments ${hash.digest('hex').slice(0, 16)}\n`,
);
