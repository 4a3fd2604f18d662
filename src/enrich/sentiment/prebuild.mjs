#!/usr/bin/env node
// Writes the prebuilt sentiment lexicons, dist/enrich/sentiment/lexicon-LANG.bin, one per language
// momentscan scores, from the compiled lexicon module (so run after tsc: `npm run build` does both).
// Each is the table of the lexicon that module builds from its sources (natural's vocabularies,
// AFINN-165, the French list, the rules), stamped with their fingerprint and a checksum (the layout is
// described in lexicon.ts); lexicon.ts reads a file back only when the fingerprint is still that of its
// code and data and the checksum holds, and builds from the sources otherwise.
//
//   node src/enrich/sentiment/prebuild.mjs
import { rmSync, writeFileSync } from 'node:fs';

const here = new URL('../../../dist/enrich/sentiment/', import.meta.url);
const { buildLexicon } = await import(new URL('lexicon.js', here).href);
const { LANGUAGES } = await import(new URL('../../core/language.js', here).href);
for (const language of LANGUAGES) {
  const lexicon = buildLexicon(language);
  if (!lexicon) throw new Error(`prebuild: no lexicon for ${language}`);
  writeFileSync(new URL(`lexicon-${language}.bin`, here), lexicon.table.bytes);
  rmSync(new URL(`lexicon-${language}.json`, here), { force: true }); // the format before December 2026
}
