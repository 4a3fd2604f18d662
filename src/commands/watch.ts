import { UsageError } from '../core/errors.js';
import { parseDurationMs } from '../core/time.js';
import { MAX_SILENCE_MS } from '../notify/outbox.js';
import { colorEnabled } from '../render/color.js';
import { asOfFlag, sinceFlag, topicsFlag } from './flags.js';
import { checkWindow, configFor, log, processEnv, type GlobalOptions } from './context.js';

export interface WatchCommandOptions {
  topic?: string[];
  since?: string;
  asOf?: string;
  interval?: string;
  /** --no-fetch sets this to false */
  fetch?: boolean;
  muteFor?: string;
}

/**
 * `momentscan watch`: the live view (src/watch/). Refuses off a terminal before anything is read; the
 * view's modules are loaded only here.
 */
export async function run(g: GlobalOptions, o: WatchCommandOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError('watch needs a terminal (stdin and stdout)', {
      hint: 'run it in a terminal; scripts read momentscan moments --json or momentscan items --json',
    });
  }
  // a terminal that cannot move its cursor (Emacs' shell, an editor's output pane): the view would be drawn as
  // escape codes line after line
  if (process.env.TERM === 'dumb') {
    throw new UsageError('watch needs a terminal that can move its cursor, and TERM=dumb says this one cannot', {
      hint: 'run it in a full terminal (TERM=xterm-256color and the like); here, momentscan moments and momentscan items print plain text',
    });
  }
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const intervalMs = duration(o.interval ?? '1m', '--interval', 'how often to fetch due feeds and reload, such as 30s, 1m or 5m');
  if (intervalMs < 5_000) throw new UsageError(`--interval ${o.interval}: at least 5s`);
  // (a timer of more than 2^31 ms fires at once: 30d reloaded the view every millisecond)
  if (intervalMs > 86_400_000) throw new UsageError(`--interval ${o.interval}: at most 1d`, { hint: 'f fetches and reloads at any time; --no-fetch never fetches' });
  const muteForMs = duration(o.muteFor ?? '1d', '--mute-for', 'how long m mutes a topic, such as 2h or 1d');
  if (muteForMs > MAX_SILENCE_MS) throw new UsageError(`--mute-for ${o.muteFor}: at most 36500d (100 years)`, { hint: 'm again unmutes the topic whenever you like' });
  const asOf = o.asOf === undefined ? null : asOfFlag(o.asOf, env.now(), config.defaults.timeZone);
  const since = o.since ?? '7d';
  // the period moves with the view: --since is read again at each reload's time
  const from = (at: number) => sinceFlag(since, at, config.defaults.timeZone, 'give a duration such as 2d, or an earlier time');
  const at = asOf ?? env.now();
  from(at);
  const topics = topicsFlag(config, o.topic);
  if (config.topics.length === 0) {
    throw new UsageError(`${config.file ?? 'config'}: no topics to watch`, { hint: config.file ? 'add topics to the config' : 'create a config with momentscan init, or pass --config' });
  }
  checkWindow(config, { since, from: from(at), asOf: at, ...(o.asOf !== undefined ? { asOfText: o.asOf } : {}), ...(topics.length ? { topics } : {}) });
  const enabled = colorEnabled({ flag: g.color === false ? false : undefined, env: env.env, isTTY: true });
  const { watch } = await import('../watch/run.js');
  return watch({
    config,
    dbPath,
    asOf,
    from,
    topics,
    intervalMs,
    fetch: o.fetch !== false,
    muteForMs,
    color: enabled,
    stdin: process.stdin,
    stdout: process.stdout,
    // after the view is gone, on the terminal it leaves: what the bottom line could only show one at a time
    warn: (line) => log(`momentscan: warning: ${line}`),
  });
}

function duration(text: string, flag: string, what: string): number {
  const ms = parseDurationMs(text);
  if (ms === null || ms <= 0) throw new UsageError(`${flag}: expected a duration, got "${text}"`, { hint: what });
  return ms;
}
