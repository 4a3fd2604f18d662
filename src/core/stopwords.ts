/**
 * English function words: what two stopword lists share, the stories' (enrich/stories.ts, matched on
 * tokens without apostrophes) and the moment explanations' (detect/explain.ts, whose tokens keep them).
 * Each adds the words of its own purpose.
 */
export const ENGLISH_FUNCTION_WORDS: readonly string[] = Object.freeze(
  (
    'a an the and or but nor of to in on at by for from with into over under about above after before as ' +
    'than then so if is are was were be been being am it its this that these those there here what which ' +
    'who whom when where why how will would can could should do does did has have had having not no just ' +
    'also very too more most some any all each other such own same only again still now new says said say ' +
    'he she they we you i me him her them us our your their his my via amid against between through ' +
    'during while because until get gets got'
  ).split(' '),
);
