#!/usr/bin/env node
// Account matching speed (issue 17): what matching every item against the known accounts adds to the
// parse stage, and what re-matching the stored items costs after an import. Pure matcher, no I/O: synthetic
// headlines and accounts from a seeded generator. Run after `npm run build`:
// node test/bench/accounts.mjs [--items 50000] [--accounts 0,100,1000,5000] [--runs 5]
import { parseArgs } from 'node:util';
import { compileAccounts } from '../../dist/enrich/accounts.js';
import { compileTopic } from '../../dist/enrich/match.js';
import { mulberry32 } from './feeds.mjs';

const { values } = parseArgs({ options: { items: { type: 'string', default: '50000' }, accounts: { type: 'string', default: '0,100,1000,5000' }, runs: { type: 'string', default: '5' } } });
const ITEMS = Number(values.items);
const SIZES = values.accounts.split(',').map(Number);
const RUNS = Number(values.runs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rng = mulberry32(17);
const pick = (list) => list[Math.floor(rng() * list.length)];
const SYL = ['ac', 'me', 'glo', 'bex', 'ini', 'tech', 'hoo', 'li', 'soy', 'lent', 'um', 'brel', 'la', 'vex', 'tor', 'nor', 'wind', 'zen', 'tra', 'qua'];
const WORDS = 'the a new launch recall outage shares rise fall report says after market deal buys sells lawsuit ceo quarter profit loss robot airline bank phone update'.split(' ');
const word = () => Array.from({ length: 2 + Math.floor(rng() * 2) }, () => pick(SYL)).join('');
const cap = (w) => w[0].toUpperCase() + w.slice(1);
const names = Array.from({ length: Math.max(...SIZES) }, (_, i) => `${cap(word())}${i % 3 ? '' : ` ${cap(word())}`}${i % 4 ? ' Inc.' : ''}`);
const accountsOf = (n) =>
  names.slice(0, n).map((name, i) => ({ id: i + 1, name, domain: `${name.split(' ')[0].toLowerCase()}${i}.com`, aliases: i % 5 ? [] : [`${cap(word())} Labs`], handles: [], contacts: [{ email: `press@${name.split(' ')[0].toLowerCase()}${i}.com`, handles: [`@${word()}${i}`] }] }));
const items = Array.from({ length: ITEMS }, (_, i) => {
  const named = rng() < 0.3 ? pick(names).replace(/ Inc\.$/, '') : cap(word());
  const title = `${named} ${Array.from({ length: 6 + Math.floor(rng() * 6) }, () => pick(WORDS)).join(' ')}`;
  return { title, summary: `${title}. ${Array.from({ length: 25 }, () => pick(WORDS)).join(' ')}`, link: `https://news${i % 50}.example/a/${i}`, sourceDomain: `news${i % 50}.example`, author: i % 7 ? null : `@${word()}` };
});

// what the parse stage already does per item, for scale: one topic's keyword match
const topic = compileTopic({ name: 'T', query: null, queryText: null, keywords: ['robot', 'airline'], languages: null, stem: false, feeds: [], bucketMs: null });
const time = (fn) => {
  const ms = [];
  let out;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    out = fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), out };
};
const base = time(() => items.reduce((n, it) => n + (topic.matches({ ...it, language: 'en', feedUrl: '' }) ? 1 : 0), 0));
console.log(`${ITEMS} items, median of ${RUNS} runs; one topic's keyword match for scale: ${base.ms.toFixed(0)} ms`);
for (const n of SIZES) {
  const accounts = accountsOf(n);
  const compile = time(() => compileAccounts(accounts));
  const m = compile.out;
  const run = time(() => items.reduce((k, it) => k + (m.match(it).length > 0 ? 1 : 0), 0));
  console.log(
    `${String(n).padStart(5)} accounts: compile ${compile.ms.toFixed(1)} ms; match ${run.ms.toFixed(0)} ms (${(run.ms * 1000 / ITEMS).toFixed(1)} µs/item, ` +
      `${(run.ms / base.ms).toFixed(1)}× one topic); ${run.out} items involve an account`,
  );
}
