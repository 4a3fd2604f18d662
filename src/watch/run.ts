import type { ReadStream, WriteStream } from 'node:tty';
import type { Config } from '../config/schema.js';
import { formatError } from '../core/errors.js';
import { fmtIn, fmtShortIn } from '../core/time.js';
import { ingest } from '../ingest/run.js';
import { notFetchedSince } from '../moments/coverage.js';
import { feedReportLines, fetchSummaryLine } from '../render/fetch.js';
import { openStore } from '../store/store.js';
import { loadColumns, saveVerdict, setMuted } from './data.js';
import { openLink } from './open.js';
import { render } from './render.js';
import { initialState, reduce, type Action, type Effect, type ViewState } from './state.js';
import { openScreen } from './terminal.js';

export interface WatchOptions {
  config: Config;
  dbPath: string;
  /** --as-of: the evaluation time, fixed; null: the clock, at each reload. */
  asOf: number | null;
  /** Start of the period shown, for an evaluation time. */
  from: (asOf: number) => number;
  topics: string[];
  intervalMs: number;
  fetch: boolean;
  muteForMs: number;
  color: boolean;
  itemsPerColumn?: number;
  stdin: ReadStream;
  stdout: WriteStream;
  now?: () => number;
  /**
   * Told, once the view is gone, each warning the view could only show in its bottom line: topics whose stored
   * matches were redone for this config, a fetch's warnings (feeds failing run after run, topics defined otherwise
   * in the team's database), each once.
   */
  warn?: (line: string) => void;
}

/**
 * The live view's loop: the edge around the pure state (state.ts) and renderer (render.ts). Reads the
 * database, fetches the due feeds (the fetch command's ingest stage, in this process) every interval and
 * reloads; keys become actions, actions' effects (open, mark, mute, fetch, quit) are carried out here.
 * Resolves with the exit code when the user quits or a signal ends it; the terminal is restored whatever
 * happens.
 */
export async function watch(o: WatchOptions): Promise<number> {
  const now = o.now ?? (() => Date.now());
  const store = await openStore(o.dbPath);
  const screen = openScreen(o.stdin, o.stdout);
  const first = o.asOf ?? now();
  let state: ViewState = initialState({ ...screen.size(), asOf: first, fixed: o.asOf !== null, since: o.from(first) });
  let drawPending = false;
  let fullDraw = true;
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  let failure: unknown = null;
  const fail = (err: unknown) => {
    failure = err;
    finish(1);
  };

  const draw = () => {
    if (drawPending) return;
    drawPending = true;
    setImmediate(() => {
      drawPending = false;
      screen.draw(render(state, { color: o.color, timeZone: o.config.defaults.timeZone }), fullDraw);
      fullDraw = false;
    });
  };
  const dispatch = (a: Action) => {
    const r = reduce(state, a);
    state = r.state;
    draw();
    for (const e of r.effects) void run(e).catch(fail);
  };
  const say = (text: string) => dispatch({ type: 'message', text });
  // warnings in the order first met, each once: the bottom line shows the newest, the rest are printed on the way out
  const warnings = new Set<string>();
  /** The bottom line for `lead` (or a warning alone) when `fresh` has warnings: the first, and how many more. */
  const withWarnings = (lead: string | null, fresh: string[]): string | null => {
    for (const w of fresh) warnings.add(w);
    if (fresh.length === 0) return lead;
    const more = fresh.length > 1 ? ` (+${fresh.length - 1} more, printed when watch ends)` : ' (printed again when watch ends)';
    return `${lead ? `${lead}; ` : ''}warning: ${fresh[0]}${more}`;
  };

  /** Reads the view's data again; returns the warnings the reading gave (a topic matched again). */
  const load = (): string[] => {
    const asOf = o.asOf ?? now();
    const fresh: string[] = [];
    const columns = loadColumns(o.config, store, { asOf, from: o.from(asOf), topics: o.topics, items: o.itemsPerColumn ?? 200, now: now() }, (line) => fresh.push(line));
    state = { ...state, since: o.from(asOf) };
    fullDraw = true;
    dispatch({ type: 'data', columns, asOf, stale: notFetchedSince(o.config, store, asOf) });
    return fresh;
  };
  const loadAndSay = (lead: string | null) => {
    const line = withWarnings(lead, load());
    if (line !== null) say(line);
  };

  let cycling: Promise<void> | null = null;
  const abort = new AbortController();
  const cycle = (fetchNow: boolean): Promise<void> => {
    if (cycling) return cycling;
    cycling = reload(fetchNow).finally(() => {
      cycling = null;
      if (!abort.signal.aborted) dispatch({ type: 'busy', text: null, nextFetchAt: o.fetch ? now() + o.intervalMs : null });
    });
    return cycling;
  };
  const reload = async (fetchNow: boolean) => {
    let lead: string | null = null;
    let fetched: string[] = [];
    if (fetchNow) {
      dispatch({ type: 'busy', text: 'fetching due feeds…' });
      try {
        const summary = await ingest(o.config, store, { now, signal: abort.signal });
        if (abort.signal.aborted) return;
        lead = fetchSummaryLine(summary);
        // what `fetch` prints as warnings (a one-off failure is a note there, and only in the fetch log here)
        fetched = feedReportLines(summary).filter((l) => l.level === 'warning').map((l) => l.text);
        say(withWarnings(lead, fetched)!);
      } catch (err) {
        if (abort.signal.aborted) return;
        say(`fetch failed: ${formatError(err)}`);
      }
    }
    try {
      const fresh = load();
      if (fresh.length > 0) say(withWarnings(fetched.length > 0 ? null : lead, fresh)!);
    } catch (err) {
      // a busy or failing database is a message; the view stays, and the next interval tries again
      say(`reload failed: ${formatError(err)}`);
    }
  };

  const run = async (e: Effect) => {
    switch (e.type) {
      case 'quit':
        finish(0);
        return;
      case 'open':
        say(await openLink(e.url));
        return;
      case 'refresh':
        await cycle(o.fetch);
        return;
      case 'verdict':
        try {
          saveVerdict(store, e.moment, e.verdict, now());
          say(e.verdict ? `${e.moment.topic}: moment of ${fmtShortIn(e.moment.start, o.config.defaults.timeZone)} marked ${e.verdict} (saved)` : `${e.moment.topic}: verdict withdrawn`);
        } catch (err) {
          dispatch({ type: 'verdict', key: e.moment.key, verdict: e.moment.verdict });
          say(`not saved: ${formatError(err)}`);
        }
        return;
      case 'mute': {
        const r = setMuted(store, e.topic, e.mute, now(), o.muteForMs);
        dispatch({ type: 'muted', topic: e.topic, until: r.until, byAll: r.byAll });
        say(
          e.mute
            ? `${e.topic} muted until ${fmtIn(r.until ?? now(), o.config.defaults.timeZone)}: a silence, notifications held too (momentscan silence list)`
            : r.until !== null
              ? `${e.topic}: its own silences ended, but every topic is silenced (momentscan silence list)`
              : `${e.topic} unmuted`,
        );
        return;
      }
    }
  };

  const onSignal = (signal: NodeJS.Signals) => finish(signal === 'SIGINT' ? 130 : 128 + (signal === 'SIGTERM' ? 15 : 1));
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  screen.onKeys((keys) => {
    try {
      for (const key of keys) dispatch({ type: 'key', key });
    } catch (err) {
      fail(err);
    }
  });
  screen.onResize(() => dispatch({ type: 'resize', ...screen.size() }));
  let timer: NodeJS.Timeout | undefined;
  try {
    draw();
    loadAndSay(null);
    if (o.fetch) void cycle(true).catch(fail);
    timer = setInterval(() => void cycle(o.fetch).catch(fail), o.intervalMs);
    const code = await done;
    if (failure) throw failure;
    return code;
  } finally {
    clearInterval(timer);
    abort.abort();
    // a fetch in flight stops at the abort; the store closes after it
    await (cycling as Promise<void> | null)?.catch(() => undefined);
    for (const s of signals) process.off(s, onSignal);
    screen.close();
    store.close();
    for (const w of warnings) o.warn?.(w);
  }
}
