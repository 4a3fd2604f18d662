import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { francAll } from 'franc-min';
import { describe, expect, it } from 'vitest';
import { trigramRanker } from '../../src/enrich/trigrams.js';

const ONLY = ['eng', 'nld', 'deu', 'fra', 'spa', 'ita', 'por'];
const FIXTURES = path.join(import.meta.dirname, '../../fixtures');

/** Text of every kind the ranker may meet: the bundled feeds (seven languages, several scripts) cut in pieces, then noise. */
function corpus(): string[] {
  const texts: string[] = [
    'Thousands stranded as Northwind cancels flights after an outage',
    'Northwind annuleert honderden vluchten na storing',
    'Streik bei Northwind: Hunderte Flüge gestrichen',
    'Grève chez Northwind : des centaines de vols annulés',
    'Huelga en Northwind: cientos de vuelos cancelados',
    'Sciopero alla Northwind: centinaia di voli cancellati',
    'Greve na Northwind: centenas de voos cancelados',
    'Забастовка в Northwind: сотни рейсов отменены',
    '北风航空罢工：数百个航班取消',
    'إضراب في نورثويند',
    'Acme’s “smart” kettle — ÀÉÎÕÜ ßẞ ﬁ œ',
    '12345 !!! ???',
    'x',
    ' ',
    'a'.repeat(3000),
    `${'Acme kettles are great. '.repeat(120)}Das ist aber nicht gut.`,
    'emoji 😀🎉 only 👍🏽 and Acme',
  ];
  for (const file of readdirSync(FIXTURES, { recursive: true }) as string[]) {
    if (!/\.(xml|json|html|rss|atom)$/.test(file)) continue;
    const text = readFileSync(path.join(FIXTURES, file), 'latin1');
    for (let i = 0; i < text.length && i < 60_000; i += 97) texts.push(text.slice(i, i + 40 + (i % 300)));
  }
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pools = ['abcdefghijklmnopqrstuvwxyz   ', 'ABCXYZ', 'éèàüöäßñçõã’', 'АБВГДабвгд', '中文日本語', 'ابتث', '0123456789!?.,;:-@', '\u00a0\u2003\t\n', '😀🎉'];
  for (let i = 0; i < 3000; i++) {
    let s = '';
    const n = 1 + Math.floor(rnd() * 150);
    for (let k = 0; k < n; k++) {
      const pool = [...pools[Math.floor(rnd() ** 2 * pools.length)]!];
      s += pool[Math.floor(rnd() * pool.length)];
    }
    texts.push(s);
  }
  return texts;
}

describe('trigramRanker', () => {
  const ranker = trigramRanker(ONLY);

  it('ranks exactly as franc does, scores and order, on feeds in seven languages, other scripts and noise', () => {
    const texts = corpus();
    expect(texts.length).toBeGreaterThan(3500);
    const differ = texts.filter((t) => JSON.stringify(ranker.rank(t)) !== JSON.stringify(francAll(t, { only: ONLY, minLength: 1 })));
    expect(differ).toEqual([]);
  });

  it('tells the seven languages apart and gives up on other scripts', () => {
    expect(ranker.rank('Northwind annuleert honderden vluchten na storing')[0]![0]).toBe('nld');
    expect(ranker.rank('Streik bei Northwind: Hunderte Flüge gestrichen')[0]![0]).toBe('deu');
    expect(ranker.rank('Забастовка в Northwind: сотни рейсов отменены')).toEqual([['und', 1]]);
    expect(ranker.rank('')).toEqual([['und', 1]]);
  });

  it('refuses a language it has no Latin-script profile for', () => {
    expect(() => trigramRanker(['eng', 'rus'])).toThrow(/rus/);
  });
});
