import { describe, expect, it } from 'vitest';
import { detectLanguage, normalizeLanguage } from '../../src/enrich/language.js';

describe('detectLanguage', () => {
  it.each([
    ['Thousands stranded as Northwind cancels flights after an outage', 'en'],
    ['Why I returned my Acme vacuum after two weeks', 'en'],
    ['Northwind annuleert honderden vluchten na storing', 'nl'],
    ['Reizigers boos over vertragingen bij Northwind', 'nl'],
    ['Streik bei Northwind: Hunderte Flüge gestrichen', 'de'],
    ['Acme ruft Staubsauger wegen Brandgefahr zurück', 'de'],
    ['Grève chez Northwind : des centaines de vols annulés', 'fr'],
    ['Huelga en Northwind: cientos de vuelos cancelados', 'es'],
    ['Acme retira su aspiradora por riesgo de incendio', 'es'],
  ])('%s → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  it('the declared language settles short, ambiguous text', () => {
    expect(detectLanguage('Globex Q3 earnings beat estimates', 'en-US')).toBe('en');
  });

  it('but does not override text that is clearly another language', () => {
    expect(detectLanguage('Streik bei Northwind: Hunderte Flüge gestrichen, Passagiere verärgert', 'en')).toBe('de');
  });

  it.each([[''], ['Acme'], ['12345 !!! ???']])('too little text (%j) gives the declared language or null', (text) => {
    expect(detectLanguage(text)).toBeNull();
    expect(detectLanguage(text, 'nl-NL')).toBe('nl');
  });

  it.each([
    ['en-US', 'en'],
    ['DE', 'de'],
    ['fr_FR', 'fr'],
    ['english', null],
    [null, null],
  ])('normalizeLanguage(%j) → %j', (declared, want) => {
    expect(normalizeLanguage(declared)).toBe(want);
  });
});
