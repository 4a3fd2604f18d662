/**
 * Each language's rule words: negations, boosters and dampeners, contrast words, idioms, and the
 * morphological variants tried for a word the lexicon lacks. General-language lists, written for
 * this engine (not fitted to any data set).
 */

export type Contrast = 'but' | 'although';

export interface LanguageRules {
  negations: ReadonlySet<string>;
  /** Word-final negation clitic ("n't"), if the language has one. */
  negationSuffix: string | null;
  /** Words that end a negation's reach early when they come between it and the word ("not only"). */
  negationBreakers: ReadonlySet<string>;
  boosters: ReadonlyMap<string, number>;
  /** "but" shifts weight to what follows; "although" to the clause after the one it opens. */
  contrasts: ReadonlyMap<string, Contrast>;
  /** Multi-word expressions with a valence of their own (−4 … +4); they override their words. */
  idioms: readonly (readonly [string, number])[];
  /** Single words added to or corrected in the lexicon. */
  words: readonly (readonly [string, number])[];
  /** "too": before a neutral word it says there is too much of it. */
  excess: ReadonlySet<string>;
  /** Words that make the rest of their clause hypothetical ("if", "would"). */
  irrealis: ReadonlySet<string>;
  /** Words that carry their valence only right after one of the given words ("like" as a verb: "I like"). */
  onlyAfter: ReadonlyMap<string, ReadonlySet<string>>;
  /** Words that never carry valence on their own here. */
  neutral: readonly string[];
  /** Elided prefixes split off a token ("n'", "l'", "qu'"), French-style. */
  elisions: ReadonlySet<string> | null;
  /** Lexicon forms to try for an unknown word, most likely first. */
  variants(word: string): string[];
}

/** "word:valence word:valence …" → entries. */
function own(list: string): [string, number][] {
  return list
    .split(/\s+/)
    .filter((x) => x.length > 0)
    .map((x) => {
      const at = x.lastIndexOf(':');
      return [x.slice(0, at), Number(x.slice(at + 1))];
    });
}

const UP = 0.293;
const DOWN = -0.293;

function boosters(up: string, down: string, extra: [string, number][] = []): Map<string, number> {
  const map = new Map<string, number>();
  for (const w of up.split(/\s+/)) if (w) map.set(w, UP);
  for (const w of down.split(/\s+/)) if (w) map.set(w, DOWN);
  for (const [w, v] of extra) map.set(w, v);
  return map;
}

const VOWELS = /[aeiouy]/;

function englishVariants(w: string): string[] {
  const out: string[] = [];
  const n = w.length;
  if (n < 4) return out;
  if (w.endsWith("'s")) out.push(w.slice(0, -2));
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith("'s")) {
    if (w.endsWith('ies')) out.push(w.slice(0, -3) + 'y');
    if (w.endsWith('es')) out.push(w.slice(0, -2));
    out.push(w.slice(0, -1));
  }
  if (w.endsWith('ed') && n > 4) {
    const stem = w.slice(0, -2);
    if (w.endsWith('ied')) out.push(w.slice(0, -3) + 'y');
    out.push(stem, stem + 'e');
    if (stem.length > 2 && stem[stem.length - 1] === stem[stem.length - 2]) out.push(stem.slice(0, -1));
  }
  if (w.endsWith('ing') && n > 5) {
    const stem = w.slice(0, -3);
    out.push(stem, stem + 'e');
    if (stem[stem.length - 1] === stem[stem.length - 2]) out.push(stem.slice(0, -1));
  }
  if (w.endsWith('ly') && n > 4) {
    if (w.endsWith('ily')) out.push(w.slice(0, -3) + 'y');
    if (w.endsWith('ically')) out.push(w.slice(0, -4));
    if (w.endsWith('bly') || w.endsWith('ply')) out.push(w.slice(0, -1) + 'e');
    out.push(w.slice(0, -2));
  }
  if (w.endsWith('ness') && n > 6) {
    if (w.endsWith('iness')) out.push(w.slice(0, -5) + 'y');
    out.push(w.slice(0, -4));
  }
  if (w.endsWith('est') && n > 5) {
    const stem = w.slice(0, -3);
    if (w.endsWith('iest')) out.push(w.slice(0, -4) + 'y');
    out.push(stem, stem + 'e');
    if (stem[stem.length - 1] === stem[stem.length - 2]) out.push(stem.slice(0, -1));
  }
  if (w.endsWith('ier') && n > 5) out.push(w.slice(0, -3) + 'y');
  return out.filter((c) => c.length > 2 && VOWELS.test(c));
}

const EN: LanguageRules = {
  negations: new Set(
    (
      "not no never neither nor none nobody nothing nowhere without cannot cant dont doesnt didnt isnt arent wasnt werent " +
      "wont wouldnt couldnt shouldnt hasnt havent hadnt aint mustnt neednt shant mightnt nope rarely seldom hardly lacks lacking lack"
    ).split(' '),
  ),
  negationSuffix: "n't",
  negationBreakers: new Set(['only', 'just', 'merely', 'but']),
  boosters: boosters(
    'absolutely amazingly awfully completely considerably decidedly deeply enormously entirely especially exceptionally ' +
      'extremely fabulously greatly highly hugely incredibly intensely majorly particularly purely really remarkably so ' +
      'substantially thoroughly totally tremendously unbelievably unusually utterly very super truly seriously insanely ' +
      'immensely terribly dreadfully most more too',
    'almost barely hardly marginally occasionally partly scarcely slightly somewhat mildly fairly rather less little ' +
      'kinda sorta moderately',
    [['quite', 0.15], ['pretty', 0.15], ['real', 0.2]],
  ),
  contrasts: new Map<string, Contrast>([
    ['but', 'but'],
    ['however', 'but'],
    ['nevertheless', 'but'],
    ['nonetheless', 'but'],
    ['although', 'although'],
    ['though', 'although'],
    ['despite', 'although'],
    ['whereas', 'although'],
  ]),
  idioms: [
    // positive
    ['cut the mustard', 2], ['on the ball', 2], ['over the moon', 3], ['on cloud nine', 3],
    ['a piece of cake', 2], ['second to none', 3], ['worth every penny', 3], ['to die for', 3], ['in the black', 2],
    ['upper hand', 1], ['hit the spot', 2.5], ['a must see', 3],
    ['must see', 2.5], ['must read', 2.5], ['must have', 2], ['thumbs up', 2.5], ['hats off', 2.5], ['top notch', 3],
    ['well done', 2.5], ['well made', 2], ['well worth', 2.5], ['worth it', 2], ['no doubt', 1], ['without a doubt', 1.5],
    ["can't complain", 1.5], ['cannot complain', 1.5], ['could be worse', 0.5], ['not bad', 1.5], ['not too bad', 1.2],
    ['not too shabby', 2], ['not half bad', 1.8], ['no problem', 1], ['no worries', 1.2], ['in good hands', 2],
    ['on track', 1], ['a breath of fresh air', 2.5], ['the real deal', 2.5], ['knock it out of the park', 3],
    ['back on track', 1.5], ['turned the corner', 1.5], ['bounce back', 1.5], ['bounced back', 1.5],
    // negative
    ['in the red', -2], ['under the weather', -1.5], ['yeah right', -2], ['kiss of death', -2.5], ['hand to mouth', -2],
    ['back handed', -2], ['blow smoke', -1.5], ['blowing smoke', -1.5], ['waste of time', -3], ['waste of money', -3],
    ['rip off', -2.5], ['ripoff', -2.5], ['let down', -2], ['letdown', -2], ['falls short', -1.8], ['fell short', -1.8],
    ['fall short', -1.8], ['fell flat', -2], ['falls flat', -2], ['fall flat', -2], ['fed up', -2], ['sick and tired', -2.5],
    ['sick of', -2], ['over the hill', -1.5], ['down the drain', -2.5], ['out of touch', -1.5], ['a far cry from', -1],
    ['last straw', -2], ['the last straw', -2], ['on thin ice', -1.8], ['up in arms', -2], ['at odds', -1.2],
    ['hit hard', -2], ['hard hit', -2], ['taken aback', -1], ['gone wrong', -2], ['went wrong', -2], ['goes wrong', -2],
    ['too good to be true', -1], ['at a loss', -1.5], ['no longer', -0.3], ['no way', -1], ['not worth', -2],
    ['a joke', -1.5], ['what a joke', -2.5],
    ['shut down', -1.2], ['laid off', -2], ['lay off', -2], ['layoffs', -2], ['death toll', -3],
    // phrases whose words mislead
    ['kind of', 0], ['sort of', 0], ['at least', 0], ['pretty much', 0], ['as well', 0], ['well as', 0],
    ['in case', 0], ['no matter', 0], ['no doubt about', 1], ['god knows', 0], ['oh my god', 0], ['thank god', 2],
    ['how about', 0], ['for good', 0], ['no one', 0], ['nothing but', 0], ['not just', 0], ['not only', 0],
  ],
  words: own('okay:0.9 ok:0.9 meh:-1 yikes:-1.5 gorgeous:3'),
  excess: new Set(['too']),
  irrealis: new Set(['if', 'would', 'could', 'should', "would've", "could've", "should've", 'wish', 'unless', 'whether']),
  onlyAfter: new Map([
    [
      'like',
      new Set(
        "i you we they he she people fans really would i'd we'd you'd they'd to do don't didn't doesn't not also still all actually genuinely truly definitely ".trim().split(' '),
      ),
    ],
  ]),
  neutral: [],
  elisions: null,
  variants: englishVariants,
};

/**
 * Compound words ("Brandgefahr", "treinramp"): their known tail, longest first. The head has at least
 * 4 letters and the tail at least 5: a short tail or head is far more often a word's own ending
 * ("Entscheidung" is no "Scheidung", "allgemein" not "gemein").
 */
function compoundTails(w: string): string[] {
  const out: string[] = [];
  for (let k = 4; k <= w.length - 5; k++) if (w[k - 1] !== '-') out.push(w.slice(k));
  return out;
}

/** Compound heads that carry the tone of the whole ("Scheißwetter", "Traumwetter", "Lieblingsfilm"): head → lexicon word. */
function compoundHeads(w: string, heads: readonly (readonly [string, string])[]): string[] {
  for (const [head, word] of heads) if (w.length >= head.length + 3 && w.startsWith(head)) return [word];
  return [];
}

const DE_HEADS: readonly (readonly [string, string])[] = [
  ['scheiß', 'scheiße'], ['scheiss', 'scheiße'], ['mist', 'mist'], ['horror', 'horror'], ['drecks', 'dreck'],
  ['traum', 'traumhaft'], ['lieblings', 'liebling'], ['spitzen', 'spitze'], ['super', 'super'], ['hammer', 'hammer'],
  ['klasse', 'klasse'], ['mega', 'mega'], ['top', 'top'],
];
const NL_HEADS: readonly (readonly [string, string])[] = [
  ['kut', 'kut'], ['klote', 'klote'], ['rot', 'rot'], ['droom', 'droom'], ['lievelings', 'lieveling'], ['top', 'top'], ['super', 'super'],
];

function stripSuffixes(w: string, suffixes: readonly string[], min = 3): string[] {
  const out: string[] = [];
  for (const s of suffixes) if (w.length - s.length >= min && w.endsWith(s)) out.push(w.slice(0, -s.length));
  return out;
}

const NL: LanguageRules = {
  negations: new Set('niet nooit niemand niets nee neen geen zonder nergens noch allerminst'.split(' ')),
  negationSuffix: null,
  negationBreakers: new Set(['alleen', 'enkel']),
  boosters: boosters(
    'heel erg zeer echt enorm ontzettend hartstikke uiterst bijzonder vreselijk verschrikkelijk super zo absoluut totaal',
    'beetje enigszins nauwelijks redelijk vrij tamelijk iets',
  ),
  contrasts: new Map<string, Contrast>([['maar', 'but'], ['echter', 'but'], ['toch', 'but'], ['hoewel', 'although'], ['ondanks', 'although']]),
  idioms: [['niet slecht', 1.5], ['geen probleem', 1], ['geen idee', 0], ['in de war', -1.5], ['op rolletjes', 2]],
  words: own(
    'ramp:-3 rampzalig:-3 drama:-2 chaos:-2.5 storing:-1.5 staking:-1.5 vertraging:-1.5 vertraagd:-1.5 geannuleerd:-1.5 ' +
      'crisis:-2.5 dood:-2.5 doden:-2.5 gedood:-3 slachtoffer:-2 slachtoffers:-2 ongeluk:-2.5 verlies:-1.5 fraude:-2.5 ' +
      'schandaal:-2.5 kritiek:-1.5 probleem:-1.5 problemen:-1.5 fout:-1.5 klacht:-1.5 klachten:-1.5 boete:-1.5 gevaar:-2 ' +
      'gevaarlijk:-2 waarschuwing:-1 woede:-2.5 woedend:-3 boos:-2 haat:-3 angst:-2 bang:-1.5 bezorgd:-1.5 teleurgesteld:-2 ' +
      'teleurstelling:-2 mislukt:-2 faillissement:-2.5 failliet:-2.5 belachelijk:-2.5 waardeloos:-3 afschuwelijk:-3 ' +
      'vreselijk:-3 verschrikkelijk:-3 schandalig:-3 succes:2 succesvol:2 winst:1.5 groei:1 overwinning:2.5 gewonnen:2 ' +
      'winnaar:2 feest:2 lof:2 geprezen:2 blij:2 liefde:3 dank:2 bedankt:2 fantastisch:3 geweldig:3 top:2 super:2.5 ' +
      'prachtig:3 schitterend:3 uitstekend:3 perfect:3 hoop:1.5 veilig:1.5 gered:2 herstel:1.5 ' +
      'kut:-3 klote:-2.5 rot:-2 droom:2 lieveling:2.5',
  ),
  // "te" is "too" but far more often "to" ("om te gaan"): left out
  excess: new Set<string>(),
  irrealis: new Set(['zou', 'zouden', 'indien', 'mocht']),
  onlyAfter: new Map(),
  // function words the vocabulary rates ("naar" is "to" far more often than "nasty")
  neutral: ['naar', 'net', 'vrij', 'juist', 'precies', 'klaar'],
  elisions: null,
  variants(w) {
    const out = stripSuffixes(w, ['ste', 'ere', 'en', 'er', 'e', 's']);
    // "grote" → "groot", "mooie" → "mooi": an open syllable lost its doubled vowel
    for (const c of out.slice()) {
      const m = /^(.*[^aeiou])([aeou])([^aeiou])$/.exec(c);
      if (m) out.push(m[1]! + m[2]! + m[2]! + m[3]!);
      if (/(.)\1$/.test(c)) out.push(c.slice(0, -1));
    }
    return compoundHeads(w, NL_HEADS).concat(out, compoundTails(w));
  },
};

const DE: LanguageRules = {
  negations: new Set('nicht kein keine keinen keinem keiner keines nein nie niemals nichts niemand ohne weder nirgends'.split(' ')),
  negationSuffix: null,
  negationBreakers: new Set(['nur', 'bloß', 'lediglich']),
  boosters: boosters(
    'sehr extrem total wirklich äußerst besonders echt super richtig absolut höchst unglaublich wahnsinnig völlig ' +
      'enorm allzu so ungemein überaus',
    'etwas kaum wenig bisschen eher halbwegs einigermaßen',
  ),
  contrasts: new Map<string, Contrast>([['aber', 'but'], ['jedoch', 'but'], ['doch', 'but'], ['sondern', 'but'], ['allerdings', 'but'], ['obwohl', 'although'], ['trotz', 'although']]),
  idioms: [['nicht schlecht', 1.5], ['kein problem', 1], ['alles gute', 2.5], ['auf keinen fall', -0.5], ['na ja', -0.5]],
  words: own(
    'tot:-2.5 tote:-2.5 toten:-2.5 getötet:-3 opfer:-2 unfall:-2.5 streik:-1.5 verspätung:-1.5 verspätet:-1.5 ausfall:-1.5 ' +
      'ausgefallen:-1.5 chaos:-2.5 krise:-2.5 skandal:-2.5 betrug:-2.5 pleite:-2.5 insolvenz:-2.5 katastrophe:-3 desaster:-3 ' +
      'schrecklich:-3 furchtbar:-3 entsetzlich:-3 enttäuschend:-2 enttäuscht:-2 peinlich:-2 ärgerlich:-2 wütend:-2.5 ' +
      'wut:-2.5 angst:-2 sorge:-1.5 sorgen:-1.5 gefahr:-2 gefährlich:-2 warnung:-1 kritik:-1.5 problem:-1.5 probleme:-1.5 ' +
      'fehler:-1.5 hass:-3 traurig:-2 glücklich:2.5 freude:2.5 liebe:3 danke:2 erfolg:2 erfolgreich:2 gewinn:1.5 rekord:1 ' +
      'sieg:2.5 gewonnen:2 lob:2 gelobt:2 großartig:3 wunderbar:3 hervorragend:3 ausgezeichnet:3 fantastisch:3 toll:2.5 ' +
      'super:2.5 schön:2 perfekt:3 hoffnung:1.5 gerettet:2 beliebt:1.5 ' +
      'scheiße:-3 scheiß:-3 scheiss:-3 mist:-2 horror:-2.5 dreck:-2 traumhaft:3 liebling:2.5 spitze:2.5 hammer:2.5 klasse:2.5 ' +
      'mega:1.5 top:2 geil:2.5 cool:2 lecker:2.5 genial:3 nervig:-2 nervt:-2 doof:-2 blöd:-2 dumm:-2.5 kotzen:-3 ätzend:-2.5 ' +
      'schade:-1.5 leider:-1 gut:1.5 schlecht:-2 lol:1.5 haha:1.5 freue:2.5 freut:2.5 vermisse:-1 endlich:1',
  ),
  // "zu" is "too" but far more often "to": left out
  excess: new Set(['allzu']),
  irrealis: new Set(['falls', 'würde', 'würden', 'könnte', 'könnten', 'sollte', 'sollten', 'hätte', 'wäre']),
  onlyAfter: new Map(),
  // words a lexicon word is hidden in, as an ending or after a suffix is cut ("bereits" → "bereit")
  // and homographs whose common reading has no tone ("sucht": searches, not addiction; "Ende": end, "Wochenende")
  neutral: ['bereits', 'vielleicht', 'allgemein', 'allgemeine', 'allgemeinen', 'fahrstreifen', 'entscheidung', 'entscheidungen', 'helles', 'sucht', 'ende'],
  elisions: null,
  variants(w) {
    return compoundHeads(w, DE_HEADS).concat(stripSuffixes(w, ['sten', 'ste', 'ern', 'em', 'en', 'er', 'es', 'e', 'n', 's']), compoundTails(w));
  },
};

const FR: LanguageRules = {
  negations: new Set("ne n' pas jamais rien aucun aucune aucunement sans ni nullement guère non".split(' ')),
  negationSuffix: null,
  negationBreakers: new Set(['seulement', 'que']),
  boosters: boosters(
    'très vraiment extrêmement trop tellement super hyper absolument complètement totalement si fort particulièrement ' +
      'incroyablement vachement terriblement',
    'peu assez plutôt légèrement moyennement presque',
  ),
  contrasts: new Map<string, Contrast>([['mais', 'but'], ['cependant', 'but'], ['pourtant', 'but'], ['toutefois', 'but'], ['néanmoins', 'but'], ['bien que', 'although'], ['bien que', 'although'], ['malgré', 'although']]),
  idioms: [['pas mal', 1.5], ['pas de problème', 1], ['pas de souci', 1], ['bien sûr', 0.5], ['coup de cœur', 3], ['bien que', 0], ['au top', 2.5], ['nul à chier', -3.5]],
  words: own(
    'bien:1.5 mal:-1.5 catastrophe:-3 drame:-2.5 chaos:-2.5 panne:-1.5 grève:-1.5 retard:-1.5 retards:-1.5 annulé:-1.5 ' +
      'crise:-2.5 mort:-2.5 morts:-2.5 tué:-3 tués:-3 victime:-2 victimes:-2 accident:-2.5 perte:-1.5 pertes:-1.5 ' +
      'fraude:-2.5 scandale:-2.5 critique:-1 problème:-1.5 problèmes:-1.5 erreur:-1.5 plainte:-1.5 amende:-1.5 danger:-2 ' +
      'dangereux:-2 alerte:-1 colère:-2.5 furieux:-3 haine:-3 peur:-2 inquiet:-1.5 inquiétude:-1.5 déçu:-2 décevant:-2 ' +
      'déception:-2 échec:-2 faillite:-2.5 honte:-2.5 nul:-2.5 horrible:-3 affreux:-3 succès:2 réussite:2 bénéfice:1.5 ' +
      'record:1 victoire:2.5 gagné:2 éloge:2 salué:2 heureux:2.5 joie:2.5 amour:3 merci:2 bravo:2.5 génial:3 excellent:3 ' +
      'parfait:3 formidable:3 magnifique:3 super:2.5 top:2 espoir:1.5 sauvé:2 ' +
      'adore:3 adorer:3 adoré:3 aime:2 aimer:2 aimé:2 kiffe:2.5 déteste:-3 détester:-3 détesté:-3 meilleur:2 meilleure:2 ' +
      'meilleurs:2 meilleures:2 dommage:-1.5 honteux:-2.5 honteuse:-2.5 chiant:-2.5 chiante:-2.5 cool:2 mdr:2 ptdr:2 lol:1.5 ' +
      'inadmissible:-2.5 inacceptable:-2.5 scandaleux:-3 scandaleuse:-3 pire:-2.5 triste:-2 content:2 contente:2 beau:2 ' +
      'belle:2 bon:1 bonne:1.5 mauvais:-2 mauvaise:-2 ridicule:-2.5 stupide:-2.5 débile:-2.5 con:-2 connard:-3 idiot:-2.5 ' +
      'mensonge:-2 menteur:-2.5 merde:-2.5 putain:-1.5 marre:-2 bof:-1 hâte:1.5 félicitations:3 malheureusement:-1.5 ' +
      'heureusement:1.5 pauvre:-1 grave:-1 dégoûté:-2.5 énervé:-2.5 relou:-2 magnifique:3 sublime:3 incroyable:2 ' +
      'bienvenue:2 plaisir:2.5 catastrophique:-3 désastre:-3 absurde:-2 mépris:-2.5 honte:-2.5 hypocrite:-2.5 hypocrisie:-2.5',
  ),
  excess: new Set(['trop']),
  // "si" is "if" but also "so" ("si bon"): left to the boosters
  irrealis: new Set(['pourrait', 'devrait', 'serait', 'aurait', 'pourraient', 'devraient', 'seraient']),
  onlyAfter: new Map(),
  neutral: [],
  elisions: new Set(["l'", "d'", "j'", "m'", "n'", "s'", "t'", "c'", "qu'", "jusqu'", "lorsqu'", "puisqu'", "quoiqu'"]),
  variants(w) {
    return stripSuffixes(w, ['es', 's', 'e', 'x']);
  },
};

/**
 * Spanish verb endings (present, preterite, imperfect, subjunctive, gerund, participle) and the
 * conjugations they belong to ("a" -ar, "e" -er, "i" -ir): the lexicons list verbs by their infinitive
 * ("gustar", "odiar", "aburrir"), tweets inflect them ("gustó", "odian", "me aburre").
 */
const ES_VERB_ENDINGS: readonly (readonly [string, string])[] = [
  ['o', 'aei'], ['as', 'aei'], ['a', 'aei'], ['an', 'aei'], ['es', 'aei'], ['e', 'aei'], ['en', 'aei'], ['amos', 'aei'],
  ['emos', 'ae'], ['imos', 'i'], ['áis', 'a'], ['éis', 'ae'], ['ís', 'i'],
  ['é', 'a'], ['aste', 'a'], ['ó', 'a'], ['asteis', 'a'], ['aron', 'a'],
  ['í', 'ei'], ['iste', 'ei'], ['ió', 'ei'], ['isteis', 'ei'], ['ieron', 'ei'],
  ['aba', 'a'], ['abas', 'a'], ['ábamos', 'a'], ['abais', 'a'], ['aban', 'a'],
  ['ía', 'ei'], ['ías', 'ei'], ['íamos', 'ei'], ['íais', 'ei'], ['ían', 'ei'],
  ['ara', 'a'], ['aras', 'a'], ['aran', 'a'], ['iera', 'ei'], ['ieras', 'ei'], ['ieran', 'ei'],
  ['ando', 'a'], ['iendo', 'ei'], ['ado', 'a'], ['ada', 'a'], ['ados', 'a'], ['adas', 'a'], ['ido', 'ei'], ['ida', 'ei'], ['idos', 'ei'], ['idas', 'ei'],
];
/** Future and conditional: the infinitive and an ending ("odiaré", "gustaría"). */
const ES_FUTURE = /^(.{2,}[aei]r)(?:é|ás|á|emos|éis|án|ía|ías|íamos|íais|ían)$/;
/** An infinitive with its object pronouns attached ("disfrutarlo", "odiarte", "quejarse"). */
const ES_CLITIC = /^(.{2,}[aei]r)(?:me|te|se|lo|la|le|nos|os|los|las|les){1,2}$/;
const ES_VOWEL = /[aeiouáéíóú]/;

/**
 * The infinitives a Spanish word may be a form of, most specific first: the future or conditional, an
 * infinitive with pronouns, then each ending's conjugations, also with a stem's diphthong undone (the
 * stem-changing verbs: "duele" → "doler", "pierde" → "perder").
 */
function spanishInfinitives(w: string): string[] {
  const out: string[] = [];
  const future = ES_FUTURE.exec(w);
  if (future !== null) out.push(future[1]!);
  const clitic = ES_CLITIC.exec(w);
  if (clitic !== null) out.push(clitic[1]!);
  // the first person of a -cer/-cir verb ("agradezco" → "agradecer", "merezco" → "merecer")
  if (w.endsWith('zco') && w.length > 5) out.push(w.slice(0, -3) + 'cer', w.slice(0, -3) + 'cir');
  for (const [ending, conjugations] of ES_VERB_ENDINGS) {
    if (!w.endsWith(ending) || w.length - ending.length < 2) continue;
    const stem = w.slice(0, -ending.length);
    if (!ES_VOWEL.test(stem)) continue;
    const d = Math.max(stem.lastIndexOf('ue'), stem.lastIndexOf('ie'));
    const plain = d >= 0 ? stem.slice(0, d) + (stem[d] === 'u' ? 'o' : 'e') + stem.slice(d + 2) : null;
    for (const c of conjugations) {
      out.push(`${stem}${c}r`);
      if (plain !== null) out.push(`${plain}${c}r`);
    }
  }
  return out;
}

/** A Spanish diminutive: stem, optional "c", -it-/-ill-, gender, plural. */
const DIMINUTIVE = /^(.{3,}?)(c?)(it|ill)([oa])(s?)$/;
/** A Spanish absolute superlative: stem, -ísim-, gender, plural ("buenísimos", "contentísima"; the accent often left out). */
const SUPERLATIVE = /^(.{2,}?)[íi]sim([oa])s?$/;

/**
 * The base forms of a superlative's stem, most likely first: the adjective's gender and its -e form,
 * with the spelling the suffix changed undone ("riquísimo" → "rico", "larguísimo" → "largo",
 * "felicísimo" → "feliz", "amabilísimo" → "amable").
 */
function spanishSuperlative(stem: string, g: string): string[] {
  const out = [stem + g, stem + 'o', stem + 'e'];
  if (stem.endsWith('qu')) out.push(stem.slice(0, -2) + 'c' + g, stem.slice(0, -2) + 'co');
  else if (stem.endsWith('gu')) out.push(stem.slice(0, -2) + 'g' + g, stem.slice(0, -2) + 'go');
  else if (stem.endsWith('c')) out.push(stem.slice(0, -1) + 'z');
  if (stem.endsWith('bil')) out.push(stem.slice(0, -3) + 'ble');
  return out;
}

/** Written laughter of any length or shape ("jajajajaja", "jajaj", "ajajaja", "jejeje", "jsjsjs"): read as "jaja". */
const LAUGHTER = /^a?(?:j+[aeiou]+|js+){2,}j*$/;

const ES: LanguageRules = {
  negations: new Set('no nunca jamás jamas ni nada nadie ninguno ninguna ningún tampoco sin'.split(' ')),
  negationSuffix: null,
  negationBreakers: new Set(['solo', 'sólo', 'solamente']),
  boosters: boosters(
    'muy realmente extremadamente tan sumamente súper super totalmente completamente demasiado increíblemente ' +
      'absolutamente tremendamente especialmente',
    'poco algo ligeramente apenas bastante medio casi',
  ),
  contrasts: new Map<string, Contrast>([['pero', 'but'], ['sino', 'but'], ['sin embargo', 'but'], ['aunque', 'although'], ['pese', 'although']]),
  idioms: [
    ['no está mal', 1.5], ['sin embargo', 0], ['no hay problema', 1], ['de maravilla', 3], ['qué asco', -3],
    ['por fin', 1.5], ['menos mal', 1], ['te quiero', 2.5], ['os quiero', 2.5], ['echo de menos', -1], ['lo siento', -1],
    ['qué pena', -2], ['no puedo más', -2],
  ],
  words: own(
    'gracias:2 bien:1.5 mal:-1.5 escándalo:-2.5 desastre:-3 tragedia:-3 asesinado:-3 víctima:-2 víctimas:-2 ' +
      'accidente:-2.5 cancelado:-1.5 huelga:-1.5 retraso:-1.5 queja:-1.5 multa:-1.5 decepcionado:-2 decepción:-2 ' +
      'decepcionante:-2 vergüenza:-2.5 quiebra:-2.5 genial:3 estupendo:3 maravilloso:3 fantástico:3 perfecto:3 ' +
      'alegría:2.5 esperanza:1.5 salvado:2 elogiado:2 récord:1 ' +
      // social media: affection, laughter, slang
      'amo:2.5 abrazo:2 abrazos:2 beso:2 besos:2 besito:2 besitos:2 espero:1 jaja:1.5 jajaja:1.5 jajajaja:1.5 ' +
      'jeje:1.5 jejeje:1.5 xd:1.5 mola:2 guay:2 bonito:2 bonita:2 lindo:2 linda:2 hermoso:2.5 hermosa:2.5 precioso:2.5 ' +
      'preciosa:2.5 guapo:2 guapa:2 felicidades:2.5 enhorabuena:2.5 asco:-2.5 odio:-2.5 aburrido:-1.5 aburrida:-1.5 ' +
      'harto:-2 harta:-2 cansado:-1 cansada:-1 fatal:-2.5 horrible:-3 pésimo:-3 triste:-2 llorar:-1.5 lloro:-1.5 ' +
      'mierda:-2.5 puta:-2 joder:-1.5 vergonzoso:-2.5 indignante:-2.5 lamentable:-2.5 ridículo:-2 ' +
      // verbs of feeling ML-Senticon lacks, as infinitives (their forms are read through spanishInfinitives)
      'encantar:2.5 adorar:2.5 molar:2 cabrear:-2 decepcionar:-2 hartar:-2 preocupar:-1.5',
  ),
  excess: new Set(['demasiado', 'demasiada', 'demasiados', 'demasiadas']),
  irrealis: new Set(['si', 'sería', 'podría', 'debería', 'ojalá']),
  onlyAfter: new Map(),
  // function words ML-Senticon rates
  // and words of assent or routine that ML-Senticon rates ("sí", "claro", "llegar")
  neutral: [
    'un', 'una', 'solo', 'sólo', 'trata', 'realizado', 'salvo', 'pesar', 'debido', 'hecho', 'tal', 'junto', 'largo', 'nuevo', 'acuerdo', 'cierto', 'vamos', 'vaya', 'menudo', 'arriba', 'bajo',
    'sí', 'claro', 'seguro', 'verdad', 'normal', 'llegar', 'salir', 'único', 'única', 'vivo',
    // verbs of wanting, ability and duty: auxiliaries, not tone ("quiero ir", "puedo", "debo")
    'querer', 'poder', 'deber', 'soler',
  ],
  elisions: null,
  variants(w) {
    const out: string[] = [];
    if (LAUGHTER.test(w)) return ['jaja'];
    const sup = SUPERLATIVE.exec(w);
    if (sup !== null) out.push(...spanishSuperlative(sup[1]!, sup[2]!));
    // diminutives read as their base ("cansadita" → "cansada", "tristecito" → "triste", "malito" → "malo"):
    // -ito/-ita/-illo/-illa, -cito/-cita, plural too
    const dim = DIMINUTIVE.exec(w);
    if (dim !== null) {
      const [, stem, c, , g, pl] = dim;
      if (c) out.push(stem! + pl!, stem! + 'e' + pl!);
      out.push(stem! + c! + g! + pl!, stem! + c! + 'o' + pl!, stem! + c! + 'o');
    }
    if (w.endsWith('as') || w.endsWith('os')) out.push(w.slice(0, -2) + 'o');
    if (w.endsWith('a')) out.push(w.slice(0, -1) + 'o');
    out.push(...stripSuffixes(w, ['es', 's']));
    // a verb's form: the lexicons list the infinitive ("gustó" → "gustar", "me duele" → "doler")
    out.push(...spanishInfinitives(w));
    return out;
  },
};

export const LANGUAGE_RULES: ReadonlyMap<string, LanguageRules> = new Map([
  ['en', EN],
  ['nl', NL],
  ['de', DE],
  ['fr', FR],
  ['es', ES],
]);
