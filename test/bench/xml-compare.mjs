#!/usr/bin/env node
// Runs every given feed file through the parser twice, with the fast XML reader and with xml2js
// alone, and reports whether the feeds (items, titles, dates, errors) come out identical, and how
// many documents the fast reader read itself. Usage (after npm run build):
//   node test/bench/xml-compare.mjs FILE|DIR ...
// With `--slices N` it compares instead a whole parse (fast reader) with a parse in slices of N items
// (every document, whatever its size: parseFeed's slicing, src/parse/feed.ts), and counts the documents
// that were split.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const { decodeBody } = await import('../../dist/fetch/decode.js');
const { parseFeed, sanitizeXml, setSlicing, splitItems, useFastXml } = await import('../../dist/parse/feed.js');
const { readXml } = await import('../../dist/parse/xml.js');

const args = process.argv.slice(2);
const at = args.indexOf('--slices');
const slices = at < 0 ? 0 : Number(args.splice(at, 2)[1]);
const files = [];
const walk = (p) => (statSync(p).isDirectory() ? readdirSync(p).sort().forEach((f) => walk(join(p, f))) : files.push(p));
args.forEach(walk);
let split = 0;
const ROOT = /^(?:\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*<([A-Za-z_][\w.:-]*)/;

let same = 0, fast = 0, items = 0, failedBoth = 0;
const different = [];
for (const file of files) {
  let text;
  try {
    text = decodeBody(readFileSync(file)).text;
  } catch {
    continue;
  }
  const opts = { url: 'https://feeds.example/feed.xml', fetchedAt: Date.parse('2026-11-20T12:00:00Z') };
  const read = () => parseFeed(text, opts).then((f) => f, (e) => ({ error: String(e) }));
  let slow, quick;
  if (slices > 0) {
    setSlicing({ minChars: Infinity });
    slow = await read();
    setSlicing({ minChars: 0, items: slices });
    quick = await read();
    const xml = sanitizeXml(text);
    if (splitItems(xml, ROOT.exec(xml)?.[1] ?? null) !== null) split++;
  } else {
    useFastXml(false);
    slow = await read();
    useFastXml(true);
    quick = await read();
  }
  if (!/^\s*[{[]/.test(text) && readXml(sanitizeXml(text)) !== undefined) fast++;
  if (isDeepStrictEqual(JSON.parse(JSON.stringify(slow)), JSON.parse(JSON.stringify(quick)))) same++;
  else different.push(file);
  if (slow.error) failedBoth++;
  else items += slow.items.length;
}
console.log(`${files.length} files: ${same} identical (${items} items; ${failedBoth} refused by both alike), ${different.length} different; the fast reader read ${fast} itself${slices > 0 ? `; ${split} split in slices of ${slices}` : ''}`);
for (const f of different) console.log(`different: ${f}`);
process.exitCode = different.length > 0 ? 1 : 0;
