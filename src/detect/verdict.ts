/**
 * The engine's verdict on the row it judged last, in one typed array that every engine on this thread
 * writes (SeriesDetector.judge): a caller reads it before the next row. No score object per row and no
 * double boxed on the way out (a double stored in an object's field, or returned from a call V8 does not
 * inline, is a heap allocation: about half of the engine's garbage was its score objects).
 */
export const verdict = new Float64Array(8);

/** Slots of `verdict`. */
export const V_EXPECTED = 0; // the forecast (NaN: none, while learning)
export const V_SCORE = 1;
export const V_FLAGS = 2;
export const V_TONE_SURPRISE = 3;
export const V_TONE_MEAN = 4; // NaN: null
export const V_TONE_BASELINE = 5; // NaN: null
export const V_TONE_ITEMS = 6;
export const V_TONE_FLAGS = 7;

/** Bits of V_FLAGS. */
export const F_LEARNING = 1;
export const F_MOMENT = 2;
export const F_EPISODE_UP = 4; // with F_MOMENT: the burst goes up (else down)
export const F_ONSET = 8;
export const F_GROWTH = 16;
export const F_UP = 32; // the value is above `expected`
export const F_DOWN = 64;
export const F_TONE = 128; // the row has a tone verdict

/** Bits of V_TONE_FLAGS. */
export const T_ACTIVE = 1;
export const T_EPISODE_UP = 2;
export const T_EPISODE_DOWN = 4;
export const T_ONSET = 8;
export const T_GROWTH = 16;
export const T_UP = 32;
export const T_DOWN = 64;

/**
 * The row the engine judges next (RowModel.judge reads it, and leaves the tone's part of it for
 * ToneChannel.judge): in a typed array for the same reason.
 */
export const row = new Float64Array(6);
export const R_T = 0;
export const R_VALUE = 1;
export const R_SENTIMENT = 2; // the mean sentiment of the row's items (NaN: none)
export const R_N = 3; // items with a sentiment (tone: items in the row)
export const R_SUM = 4; // tone: their sentiment sum
export const R_SQ = 5; // their sum of squares (NaN: not known)

/** Fills `row`. */
export function setRow(t: number, value: number, sentiment: number, n: number, sq: number): void {
  row[R_T] = t;
  row[R_VALUE] = value;
  row[R_SENTIMENT] = sentiment;
  row[R_N] = n;
  row[R_SQ] = sq;
}
