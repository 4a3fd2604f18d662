#!/usr/bin/env node
// Writes src/enrich/lid/lid-ngrams.bin, the language-identification model that src/enrich/language.ts reads, from
// the n-gram database of the `eld` package (Efficient Language Detector by Nito T.M., Apache-2.0; a
// devDependency pinned in package.json): its Latin-script languages only, since text in other scripts is
// told apart by its script. Run from the repo root after changing LANGUAGES or the eld version:
//
//   node src/enrich/lid/build.mjs [extrasmall|small|medium|large]    (default: small)
//
// Format (little-endian), the hash table that language.ts probes, ready to use as it is read (no loop
// over the n-grams at start-up: building the table at every start took ~45 ms of CPU): "LID2", u8 L,
// L two-letter codes, zero bytes up to a multiple of 4, u32 S (slots, a power of 2, at least 1.5 per
// n-gram), u32 N (n-grams), u32 B (bytes of scores), then S slots of two i32: the n-gram's bytes (up to
// 4 UTF-8 bytes, first byte highest) and its meta (0: empty slot; else length | 8 word start | 16 word
// end, | its number of scores << 5 | the offset of its first score in the scores << 10), placed by
// `hash` below (language.ts's, which checks a sample of slots against it) with linear probing; then B
// bytes of scores, count × (u8 language index, u8 score) per n-gram. Scores are eld's plus its base of 53.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** eld's Latin-script languages. */
export const LANGUAGES = ['az', 'ca', 'cs', 'da', 'de', 'en', 'es', 'et', 'eu', 'fi', 'fr', 'hr', 'hu', 'is', 'it', 'lt', 'lv', 'ms', 'nl', 'no', 'pl', 'pt', 'ro', 'sk', 'sl', 'sq', 'sv', 'tl', 'tr', 'vi', 'yo'];
const BASE_SCORE = 53;

const size = process.argv[2] ?? 'small';
const only = process.argv[3] ? process.argv[3].split(',') : LANGUAGES;
const out = resolve(process.argv[4] ?? resolve(dirname(fileURLToPath(import.meta.url)), 'lid-ngrams.bin'));
const eldRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../node_modules/eld');
const { ngramsData } = await import(resolve(eldRoot, `src/ngrams/${size}.js`));
const { dictionary } = await import(resolve(eldRoot, 'src/dictionary.js'));

// eld writes bytes ≥ 0x80 as dictionary characters and ASCII as itself; ' ' marks a word's edge
const byteOf = new Map();
for (let b = 0x80; b < 0x100; b++) if (dictionary[b] !== ' ') byteOf.set(dictionary[b], b);
for (let b = 0; b < 0x80; b++) if (!byteOf.has(String.fromCharCode(b))) byteOf.set(String.fromCharCode(b), b);

const codes = Object.entries(ngramsData.languages);
const keep = new Map(); // eld index → ours
for (const code of only) {
  const found = codes.find(([, c]) => c === code);
  if (!found) throw new Error(`eld ${size} has no ${code}`);
  keep.set(Number(found[0]), keep.size);
}
const chunks = [];
let n = 0;
let entries = 0;
for (const [gram, langs] of Object.entries(ngramsData.ngrams)) {
  const kept = Object.entries(langs).filter(([l]) => keep.has(Number(l)));
  if (kept.length === 0) continue;
  let body = gram;
  let meta = 0;
  if (body.startsWith(' ')) {
    meta |= 8;
    body = body.slice(1);
  }
  if (body.endsWith(' ')) {
    meta |= 16;
    body = body.slice(0, -1);
  }
  if (body.length < 1 || body.length > 4) throw new Error(`unexpected n-gram ${JSON.stringify(gram)}`);
  let bytes = 0;
  for (const ch of body) {
    const b = byteOf.get(ch);
    if (b === undefined) throw new Error(`unknown character ${JSON.stringify(ch)} in ${JSON.stringify(gram)}`);
    bytes = ((bytes << 8) | b) >>> 0;
  }
  meta |= body.length;
  const rec = Buffer.alloc(6 + 2 * kept.length);
  rec.writeUInt32LE(bytes, 0);
  rec.writeUInt8(meta, 4);
  rec.writeUInt8(kept.length, 5);
  kept.forEach(([l, s], k) => {
    rec.writeUInt8(keep.get(Number(l)), 6 + 2 * k);
    rec.writeUInt8(s + BASE_SCORE, 7 + 2 * k);
  });
  chunks.push(rec);
  n++;
  entries += kept.length;
}

/** language.ts's hash of an n-gram (its bytes and meta); the two must agree. */
const hash = (bytes, meta) => {
  let h = Math.imul(bytes ^ Math.imul(meta, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return Math.imul(h, 0xc2b2ae35) ^ (h >>> 13);
};
let slots = 1;
while (slots < n * 1.5) slots <<= 1;
const mask = slots - 1;
const table = new Int32Array(2 * slots);
const scores = Buffer.alloc(2 * entries);
if (2 * entries >= 1 << 22) throw new Error('too many scores for a slot to hold their offset');
let offset = 0;
for (const rec of chunks) {
  const bytes = rec.readInt32LE(0);
  const meta = rec[4];
  const count = rec[5];
  let slot = hash(bytes, meta) & mask;
  while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
  table[2 * slot] = bytes;
  table[2 * slot + 1] = meta | (count << 5) | (offset << 10);
  rec.copy(scores, offset, 6);
  offset += 2 * count;
}
const headLength = Math.ceil((5 + 2 * only.length) / 4) * 4 + 12;
const head = Buffer.alloc(headLength);
head.write('LID2', 0, 'latin1');
head.writeUInt8(only.length, 4);
only.forEach((c, i) => head.write(c, 5 + 2 * i, 'latin1'));
head.writeUInt32LE(slots, headLength - 12);
head.writeUInt32LE(n, headLength - 8);
head.writeUInt32LE(2 * entries, headLength - 4);
const body = Buffer.alloc(8 * slots);
for (let i = 0; i < 2 * slots; i++) body.writeInt32LE(table[i], 4 * i);
const file = Buffer.concat([head, body, scores]);
writeFileSync(out, file);
process.stderr.write(`${out}: eld ${ngramsData.type}, ${only.length} languages, ${n} n-grams in ${slots} slots, ${entries} scores, ${file.length} bytes\n`);
