#!/usr/bin/env node
// Writes the prebuilt sentiment lexicons, dist/enrich/sentiment/lexicon-LANG.json, one per language
// momentscan scores, from the compiled lexicon module (so run after tsc: `npm run build` does both).
// Each is the lexicon that module builds from its sources (natural's vocabularies, AFINN-165, the French
// list, the rules), stamped with their fingerprint; lexicon.ts reads a file back only when the
// fingerprint is still that of its code and data, and builds from the sources otherwise.
//
//   node src/enrich/sentiment/prebuild.mjs
import { writeFileSync } from 'node:fs';

const here = new URL('../../../dist/enrich/sentiment/', import.meta.url);
const { buildLexicon, prebuiltOf } = await import(new URL('lexicon.js', here).href);
const { LANGUAGES } = await import(new URL('../../core/language.js', here).href);
for (const language of LANGUAGES) {
  const lexicon = buildLexicon(language);
  if (!lexicon) throw new Error(`prebuild: no lexicon for ${language}`);
  writeFileSync(new URL(`lexicon-${language}.json`, here), JSON.stringify(prebuiltOf(lexicon)));
}
