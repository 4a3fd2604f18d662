/**
 * Valence of emoji and ASCII emoticons on the engine's scale (−4 … +4, VADER's): our own compact
 * table, written for the common faces, hearts, hands and symbols seen in posts. Emoji are keyed by
 * their base code point (variation selectors, skin tones and ZWJ joins are dropped by the tokenizer);
 * emoticons by their exact spelling, starting with a mark (":D", "<3", "^_^"); those that read as
 * words ("xD", "lol") are in the word lexicon instead.
 */

const EMOJI_GROUPS: [number, string][] = [
  // very positive
  [3.2, '😍 🥰 😻 🤩 ❤ 💖 💗 💓 💞 💕 💘 💝 ♥ 🥳 🎉 🎊 🏆 🥇 💯'],
  [2.8, '😂 🤣 😆 😁 😄 😃 😀 😊 ☺ 😘 😚 😙 😗 💛 💚 💙 💜 🧡 🤍 🤎 🖤 💟 ❣ ♡ 😇 🙌 👏 👍 🤗 🌟 ✨ 🎁 🎂 🥂 🍾 🌈'],
  [2.2, '🙂 😉 😋 😎 😌 😺 😸 😹 😽 🤭 😛 😜 😝 🤪 👌 🤙 ✌ 🤞 💪 🙏 ☀ 🌞 🌻 🌹 🌸 🌺 🌷 💐 ⭐ 🎈 🎶 🎵 ✅ ✔ ☑ 🆒 🆗 🔝 💃 🕺 😏 🤓 🫶 💋 🍀 🤝 👑 💎 🚀 📈'],
  [1.2, '🙃 😅 😬 😮 😯 🤔 🙄 😳 🥹 🤤 😪 😴 🤫 🫡 👋 ✋ 🙋 🤷 ☕ 🍕 🍻 🍺 🍷 🍸 🍹 🔥 ⚡ 👀 💅 🙈 🙉 🙊 😶'],
  // negative
  [-1.2, '😐 😑 🫤 😕 😟 🙁 ☹ 😯 😦 😧 😒 😓 😔 😥 😪 🥱 😷 🤒 🤕 🤧 🥴 😵 🫠 💤 ⚠ 📉 👀'],
  [-2.2, '😞 😢 😿 😣 😖 😫 😩 🥺 😨 😰 😱 🙀 😤 👎 💔 🚫 ⛔ ❌ ✖ ❎ 🤦 🙅 🙍 🙎 💩 🤮 🤢 🥶 🥵 😬'],
  [-3.0, '😭 😡 😠 🤬 👿 💀 ☠ 😾 🖕 🔪 🔫 💣 🆘 🚨'],
];

/** A few overrides where a symbol appears in two groups above (the later group wins otherwise). */
const EMOJI_OVERRIDES: [string, number][] = [
  // as used in posts: 😂 laughs at good and bad news alike, 😭 is as often joy as grief, 🙄 is exasperation
  ['😂', 1],
  ['🤣', 1.2],
  ['😭', -0.5],
  ['🙄', -1.5],
  ['👀', 0],
  ['😬', -1.2],
  ['😯', -0.5],
  ['😪', -1.2],
  ['🔥', 1.5],
];

const EMOTICONS: [number, string][] = [
  [2.2, ':) :-) :] :-] =) =] :o) :c) :^) (: (-: ^_^ ^^ ^.^ (^_^) :3 :-3'],
  [2.8, ':D :-D =D :)) :-)) ;D'],
  [1.6, ';) ;-) ;] ;-] *) *-) ;P ;-P :P :-P :p :-p =P :b :-b'],
  [2.8, '<3 <33 <333 :* :-* ;* xoxo'],
  [-2.2, ':( :-( :[ :-[ =( =[ )-: :c :-c :(( :-(( >:( >:-( :@ >:@'],
  [-2.6, ":'( :'-( ;( ;-( ;_; </3 <\\3"],
  [-1.2, ':/ :-/ :\\ :-\\ =/ =\\ :S :-S :s :| :-| -_- -.- >.< >_< :$'],
  [0.8, ':o :-o :O :-O'],
];

export const EMOJI_VALENCE: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  for (const [value, list] of EMOJI_GROUPS) for (const e of list.split(' ')) if (e) map.set(e, value);
  for (const [e, value] of EMOJI_OVERRIDES) map.set(e, value);
  return map;
})();

/** Emoticons by exact spelling (case kept: ":D" and ":d" differ). */
export const EMOTICON_VALENCE: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  for (const [value, list] of EMOTICONS) for (const e of list.split(' ')) if (e) map.set(e, value);
  return map;
})();

/** Emoticons that look like words once lower-cased ("xd", "xoxo", "qq"), for the word lexicon. */
export const WORDLIKE_EMOTICONS: ReadonlyMap<string, number> = new Map([
  ['xd', 2.8],
  ['xoxo', 2.8],
  ['lol', 1.8],
  ['lmao', 2],
  ['rofl', 2],
  ['haha', 1.8],
  ['hahaha', 2],
  ['hehe', 1.6],
  ['yay', 2.4],
  ['woohoo', 2.4],
  ['wow', 2.2],
  ['omg', 0.6],
  ['ugh', -1.8],
  ['meh', -1],
  ['wtf', -2.5],
  ['ffs', -2],
  ['smh', -1.5],
  ['fml', -2.4],
]);
