import { describe, expect, it } from 'vitest';
import { READ_LANGUAGES, detectLanguage, identifyLanguage, normalizeLanguage } from '../../src/enrich/language.js';

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

  // short posts: what franc's trigrams got wrong (English read as French, German as English, Spanish as Portuguese)
  it.each([
    ['lol same tbh', 'en'],
    ['can’t wait for the weekend!!', 'en'],
    ['Ein Helles bitte', 'de'],
    ['Keine Ahnung.', 'de'],
    ['que hambre tengo', 'es'],
    ['mdr trop bien', 'fr'],
    ['Wat een mooie dag', 'nl'],
  ])('short post %j → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  it.each([
    ['Забастовка в Northwind: отменены сотни рейсов'],
    ['Απεργία στη Northwind: ακυρώθηκαν εκατοντάδες πτήσεις'],
    ['Northwind 罢工：数百个航班被取消'],
    ['إضراب في نورثويند: إلغاء مئات الرحلات'],
  ])('text mostly in another script has no language, whatever the feed declares: %s', (text) => {
    expect(identifyLanguage(text)).toEqual({ language: null, otherScript: true });
    expect(detectLanguage(text, 'en')).toBeNull();
  });

  it('another Latin-script language is itself, not one of the five momentscan scores', () => {
    expect(detectLanguage('Strajk w Northwind: odwołano setki lotów, pasażerowie są wściekli')).toBe('pl');
    expect(detectLanguage('Strejk på Northwind: hundratals flyg inställda')).toBe('sv');
  });

  it('the declared language settles short, ambiguous text', () => {
    expect(detectLanguage('Globex Q3 earnings beat estimates', 'en-US')).toBe('en');
    expect(detectLanguage('Northwind in Brussel')).toBe('nl');
    expect(detectLanguage('Northwind in Brussel', 'en')).toBe('en');
    expect(detectLanguage('Northwind in Brussel', 'de')).toBe('de');
  });

  it('so do the languages of the topics that list the feed', () => {
    expect(detectLanguage('Northwind in Brussel', null, ['de'])).toBe('de');
    expect(detectLanguage('Northwind in Brussel', null, ['en', 'fr'])).toBe('en');
  });

  it('but neither overrides text that is clearly another language', () => {
    expect(detectLanguage('Streik bei Northwind: Hunderte Flüge gestrichen, Passagiere verärgert', 'en')).toBe('de');
    expect(detectLanguage('Thousands stranded as Northwind cancels flights after an outage', null, ['de'])).toBe('en');
  });

  it.each([[''], ['Ok'], ['12345 !!! ???'], ['😂😂😂']])('too little text (%j) gives the declared language or null', (text) => {
    expect(identifyLanguage(text)).toEqual({ language: null, otherScript: false });
    expect(detectLanguage(text, 'nl-NL')).toBe('nl');
  });

  it('reads the same whatever came before (no state carried between calls)', () => {
    const text = 'Huelga en Northwind: cientos de vuelos cancelados';
    const first = detectLanguage(text);
    for (let i = 0; i < 1000; i++) detectLanguage(`Streik ${i} bei Northwind`);
    expect(detectLanguage(text)).toBe(first);
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

describe('short text (issue 12)', () => {
  it.each(['hello', 'merci bien', 'hola amigos', 'Danke schön'])('%j is read in one of the five languages, so it gets a score', (text) => {
    expect(READ_LANGUAGES).toContain(detectLanguage(text));
  });
});
