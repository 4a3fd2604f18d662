import type { Sensitivity } from '../config/schema.js';

/**
 * The one sensitivity table: the surprise S = −log10 p (calibrated against the series' own history) at
 * which a burst or a swing in tone alerts. Volume and tone, topics and series you bring, all use it.
 * Chosen by leave-one-series-out evaluation on mention counts (`npm run eval:moments`, `eval:detect`).
 *
 * What leave-one-series-out pays for (eval:moments, 10 draws, 2026-12-05): every series is near its best
 * between 3 and 4 except where they disagree — AAPL and FB gain up to 4 (fewer false alerts on big but
 * routine bursts), UPS loses a window above 3.5 (its third burst in a week of bursts is routine by then).
 * The fold that holds UPS out picks 4 on a near tie of the other four (raw 7.30 at 4 vs 7.24 at 3.5), and
 * that one pick is the whole gap (in-sample 81.6, leave-one-series-out 76.9). Tried, each picked jointly
 * with the level in every fold (`--knob`; figures moments / detect, against 76.9 / 79.6), none adopted:
 * tail power 4 (78.6 / 78.6) or 6 (79.5 / 76.3); `routine` 10 or 20 (76.8 / 79.1 when the folds pick it,
 * though level-only 84.8 / 86.5 at level 4 with routine 10: only UPS wants it); routine episodes counted
 * once per 8 h or a day (74.8 / 81.3); no tail counting during the warm-up (level-only 76.6 / 76.5);
 * maxFreeze 48 or 96 (no change); ARTime's masking — after an episode ends, for 3 to 12 hours a new onset
 * must be at least as surprising as the last one's (79.5 / 76.3 picked; fixed at 3 h: 77.0 / 79.6,
 * in-sample 82.0 / 79.8 against 81.6 / 79.8, within the draws' spread).
 *
 * Where the folds lose (2026-12-06): both evals lose the same window, UPS's burst of 5 March (555 stories
 * a quarter hour against ~10 expected; 181 per 5 minutes against 3.3), its fifth burst in three days. Its
 * point residual (z ≈ 14) is routine by then — each earlier burst flickers and is counted at every
 * re-crossing — and the window means' spreads were learnt on those bursts, so it scores only 3.4–3.6.
 * The moments fold without UPS picks 4 over 3.5 by 0.06 raw on the other four (AAPL +0.19, FB +0.20,
 * IBM −0.05, CVS −0.28): UPS 3.41 at 3.5, 1.38 at 4 (3.67 at 3). In `detect` the UPS fold picks 4 (UPS 4.11 → 2.35) and the IBM
 * fold picks 3 on a 0.06 tie (IBM 1.13 → 0.36). Tried then, none adopted (figures moments / detect
 * leave-one-series-out against 76.9 / 79.6): a level crossing counted once per excursion of the
 * statistic (until it falls below 2, or to half the level), on the point residual: 77.0 / 82.4
 * (--direction up 77.2 → 80.9), but only because level 3 got worse (detect in-sample at the default
 * 79.8 → 78.4, false alerts on artificialNoAnomaly 0.20 → 0.40) and the IBM fold's tie flips to 4; a
 * learnt daily rhythm (test/detect/series.test.ts, real values) alerts on day 8; on the window means only
 * it changes nothing. Picked with the level in every fold (detect): tail memory (`tailSpan`) 2,500–20,000
 * 77.3; learning clip 2.5–6 69.0; `freezeZ` 3–6 78.8 (in-sample 84.6 at freezeZ 6, level 3.5). The
 * moments path on 5-minute buckets (the data's resolution, with early looks): in-sample 81.3,
 * leave-one-series-out 77.0, artificialNoAnomaly 0.09 (4 draws): no gain for the finer bucket.
 *
 * Why the UPS burst scores 3.4–3.6 (2026-12-06): its point residual is u ≈ 14, and the point tail is
 * not the count of earlier crossings of 14 but the frequency of a lower level the series crosses
 * routinely (|z| 5–8) extended by the power law, so on a bursty series any burst is capped near 4 (even
 * with the alerted bursts' rows left out, below, it scores 4.2). Tried (figures moments / detect leave-one-series-out against
 * 76.9 / 79.6; detect whole dev corpus against 63.1 at level 3; eval:detect now prints the corpus and
 * artificialNoAnomaly by level): rows of an alerted burst (open episode, not cooling down) do not feed
 * the calibration — ARTime's and CAD OSE's "do not learn from anomalies":
 *   tails only: 78.5 (per-draw 79.9) / 85.6 (moments folds pick 3.5, UPS's 4; detect all 4);
 *   tails and window-mean spreads: 81.6 (per-draw 83.8) / 86.6, every fold picks 4; at level 4
 *   in-sample 83.4 / 86.6, artificialNoAnomaly 0.00 / 0.30 — the targets, but only with the table moved
 *   to 4 (at 3: 77.2 / 67.1, every alerted burst's successor alerts too), and level 4 costs everything
 *   else: detect corpus 58.0 (non-count series 59.1 → 51.6, count series outside realTweets 63.7 →
 *   56.4), moments' other count-like series 26.2 → 22.9; a night burst of 10 where 0.3 are expected
 *   and a bucket of 12 where 3 are usual (test/detect/detect.test.ts) no longer alert at medium; tone
 *   shares the level, so the sample's Northwind shift is flagged 6 h later (timeline golden); and an
 *   early look opens the episode before its step is judged, so 5-minute rows and their quarter hours
 *   no longer score alike (test/detect/series.test.ts). realTweets alone wanted 4 before too (detect
 *   82.0 at 4 against 79.8 at 3); not adopted;
 *   + scales frozen inside bursts: — / 76.1; each alerted burst's peak counted once when it ends (in
 *   between never and every row): 79.0 (per-draw 78.1; picks 3–3.5) / 84.6 (3.5), detect at 3 77.2,
 *   corpus 59.8; the same with the spreads still learnt: — / 82.3 (level 3: 76.9); the point
 *   residual's tail only: — / 88.2 at 4 (72.2 at 3, corpus 57.0 at 4).
 * Magnitude that history cannot make routine (many times the expected count and many items), looked
 * at on the data before building it: UPS has some 40 unlabelled bursts after 7 March of 400–600 items
 * at 20–900 times the expectation, AAPL a dozen at ×25–99 outside its windows; a magnitude channel
 * would alert on each, so it was not built.
 */
export const ALERT_SURPRISE: Readonly<Record<Sensitivity, number>> = { low: 4, medium: 3, high: 2.5 };
/**
 * The levels hold for a row every 15 minutes; a finer series is tested more often, and its level rises
 * by log10 of the rows per quarter hour (5-minute rows: +0.48), so false alerts per day stay the same.
 */
export const ALERT_STEP_MS = 15 * 60_000;

/** A burst stays one episode while its surprise stays above this share of the alert level… */
const KEEP_SHARE = 0.5;
/**
 * …and ends once it has been below that for this long: the next burst is a new moment. Three hours. Five
 * were tried (a burst that dips and flares again stays one moment): eval:moments leave-one-series-out
 * 76.9 → 77.4, within the draws' noise, while detect --direction up fell 77.2 → 75.9; so not adopted.
 */
export const COOL_DOWN_MS = 3 * 3_600_000;
/** An episode alerts again when its excess over the expectation reaches this multiple of the last alert's… */
const GROWTH = 2;
/** …and by at least this much (counts: stories). */
const GROWTH_MIN = 3;

export type Alert = 'onset' | 'growth' | null;

/**
 * One alert per burst: an episode opens when the surprise reaches the alert level (onset), stays open
 * while it stays above half of it (in the same direction), and closes after a cool-down below that.
 * Inside an episode a row alerts again only when the excess over the expectation has doubled since the
 * last alert (growth). Causal and deterministic: the same rows give the same alerts, whenever they are
 * replayed, so a cron job every 15 minutes is told of a burst once, plus its growth.
 */
export class Episodes {
  private dir: 1 | -1 | 0 = 0;
  private quiet = 0;
  private level = 0;
  private readonly coolRows: number;

  /**
   * `directions`: which way a burst may open an episode (+1 up, −1 down, 0 both). Rows the other way
   * never alert and never hold a burst open, so a dip does not keep a spike from alerting.
   */
  constructor(
    private readonly threshold: number,
    stepMs: number,
    private readonly directions: 1 | -1 | 0 = 0,
  ) {
    this.coolRows = Math.max(1, Math.round(COOL_DOWN_MS / stepMs));
  }

  /** The open episode's direction after the last push (0: none). */
  get direction(): 1 | -1 | 0 {
    return this.dir;
  }

  /** Whether the last row belonged to the burst itself (an open episode, not yet cooling down). */
  get active(): boolean {
    return this.dir !== 0 && this.quiet === 0;
  }

  /** Opens an episode without a row (an early look saw the burst): the next rows continue it. False if none may open. */
  announce(direction: 1 | -1, excess: number): boolean {
    if (this.dir !== 0 || (this.directions !== 0 && direction !== this.directions)) return false;
    this.dir = direction;
    this.quiet = 0;
    this.level = Math.max(excess, 0);
    return true;
  }

  /**
   * The row's alert, given its surprise, its direction (+1 up, −1 down, 0 none) and its excess over
   * the expectation (for growth; in the direction's sense).
   */
  push(surprise: number, direction: 1 | -1 | 0, excess: number): Alert {
    const hot = surprise >= this.threshold && direction !== 0 && (this.directions === 0 || direction === this.directions);
    // rows the other way count as quiet (a dip inside a burst does not end it), unless they alert
    // themselves: a spike right after a fall is a moment of its own
    if (this.dir === 0 || (hot && direction !== this.dir)) {
      if (!hot) return null;
      this.dir = direction;
      this.quiet = 0;
      this.level = Math.max(excess, 0);
      return 'onset';
    }
    if (direction === this.dir && surprise >= this.threshold * KEEP_SHARE) this.quiet = 0;
    else if (++this.quiet >= this.coolRows) {
      this.dir = 0;
      return null;
    }
    if (hot && excess >= GROWTH * this.level && excess - this.level >= GROWTH_MIN) {
      this.level = excess;
      return 'growth';
    }
    return null;
  }
}
