import { checkSearch, normalizeCountry, normalizeLanguage, withQuery, type SourceDefinition } from './kind.js';

/** Google News search RSS: the topic's search, in a language and country. */
export const googleNews: SourceDefinition<'google-news'> = {
  kind: 'google-news',
  type: 'news',
  options: { search: checkSearch, language: normalizeLanguage, country: normalizeCountry },
  searches: true,
  configuredLanguage: true,
  recognizes: (url) => url.hostname.toLowerCase() === 'news.google.com',
  feedUrl(_spec, p) {
    const c = p.country();
    const { hl, ceid } = googleNewsEdition(p.language(), c);
    return withQuery('https://news.google.com/rss/search', [['q', p.query('google')], ['hl', hl], ['gl', c], ['ceid', ceid]]);
  },
};

/**
 * Google News' edition of a language in a country, as its own links write it: English by country
 * (`hl=en-GB`, `GB:en`), Spanish of Spain (`es`, `ES:es`) or of the Americas (`es-419`, `MX:es-419`),
 * Portuguese of Portugal (`pt-PT`, `PT:pt-150`) or Brazil (`pt-BR`, `BR:pt-419`), Chinese in simplified
 * (`zh-CN`, `CN:zh-Hans`) or traditional characters (`zh-TW`, `TW:zh-Hant`; `zh-HK`), Canadian French
 * (`fr-CA`, `CA:fr`); other languages by their code (`de`, `CH:de`; Norwegian `no`).
 */
export function googleNewsEdition(language: string, country: string): { hl: string; ceid: string } {
  const c = country;
  switch (language) {
    case 'en':
      return { hl: `en-${c}`, ceid: `${c}:en` };
    case 'es':
      return c === 'ES' ? { hl: 'es', ceid: 'ES:es' } : { hl: 'es-419', ceid: `${c}:es-419` };
    case 'pt':
      return c === 'PT' ? { hl: 'pt-PT', ceid: 'PT:pt-150' } : { hl: 'pt-BR', ceid: `${c}:pt-419` };
    case 'zh':
      return c === 'TW' || c === 'HK' ? { hl: `zh-${c}`, ceid: `${c}:zh-Hant` } : { hl: 'zh-CN', ceid: `${c}:zh-Hans` };
    case 'fr':
      return c === 'CA' ? { hl: 'fr-CA', ceid: 'CA:fr' } : { hl: 'fr', ceid: `${c}:fr` };
    case 'nb':
      return { hl: 'no', ceid: `${c}:no` };
    default:
      return { hl: language, ceid: `${c}:${language}` };
  }
}
