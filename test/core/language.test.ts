import { describe, expect, it } from 'vitest';
import { LANGUAGES, languageCode } from '../../src/core/language.js';
import { normalizeLanguage as configLanguage } from '../../src/config/sources.js';
import { normalizeLanguage as declaredLanguage, READ_LANGUAGES } from '../../src/enrich/language.js';
import { analyzeSentiment, SENTIMENT_LANGUAGES } from '../../src/enrich/sentiment.js';

describe('one rule for language codes', () => {
  it.each<[unknown, string | null]>([
    ['en', 'en'],
    ['EN', 'en'],
    [' de ', 'de'],
    ['en-US', 'en'],
    ['de_DE', 'de'],
    ['fr-ca', 'fr'],
    ['eng', null],
    ['e', null],
    ['', null],
    ['-US', null],
    ['1a', null],
    [null, null],
    [undefined, null],
    [42, null],
  ])('languageCode(%j) is %j', (raw, code) => {
    expect(languageCode(raw)).toBe(code);
  });

  it('a feed\'s declared language, sentiment\'s --language and the config read codes alike', () => {
    for (const raw of ['en-GB', 'NL', 'xx', 'eng']) {
      const code = languageCode(raw);
      expect(declaredLanguage(raw)).toBe(code);
      expect(analyzeSentiment('good', { language: raw }).language).toBe(code);
    }
    // the config asks a search engine for a language: a region there is refused, not dropped
    expect(configLanguage('de')).toBe('de');
    expect(configLanguage('de-DE')).toHaveProperty('error');
    expect(configLanguage('eng')).toHaveProperty('error');
  });

  it('the languages read are one list: identified, scored and stemmed alike', () => {
    expect(LANGUAGES).toEqual(['en', 'nl', 'de', 'fr', 'es']);
    expect(READ_LANGUAGES).toBe(LANGUAGES);
    expect(SENTIMENT_LANGUAGES).toBe(LANGUAGES);
  });
});
