import { Command, CommanderError, Help, InvalidArgumentError, Option } from 'commander';
import { ExitCode, MomentscanError, OutputError, UsageError, formatError, outputFault } from './core/errors.js';
import { editDistance, stripControl } from './core/text.js';
import { version } from './core/version.js';
import { FORMATS, type Format } from './render/types.js';
import type { GlobalOptions } from './commands/context.js';

/**
 * The command-line entry point. Only commander and core are loaded here; each command's module (and
 * the heavy stages behind it) is imported when that command runs, so `momentscan --help` stays fast.
 */

type Action = (g: GlobalOptions, o: never) => Promise<number>;

/** How a topic is named on the command line (commands/flags.ts topicFlag). */
const TOPIC_RULE = 'its name in any case, or the start of one topic\'s name';
const repeat = (v: string, prev: string[] = []) => [...prev, v];

/** The output flags of every command that lists things; `fallback` is its format when none is chosen. */
function addOutputOptions(cmd: Command, fallback: Format | null = 'table'): Command {
  const dflt = (f: Format) => (f === fallback ? ' (the default)' : '');
  return cmd
    .addOption(new Option('-f, --format <format>', `output format${fallback ? ` (default ${fallback})` : ''}`).choices(FORMATS))
    .option('--json', `shortcut for --format json${dflt('json')}`)
    .option('--ndjson', `shortcut for --format ndjson${dflt('ndjson')}`)
    .option('--csv', `shortcut for --format csv${dflt('csv')}`)
    .option('--fields <list>', 'only these fields, comma-separated, in this order (JSON keys and CSV/TSV/Markdown columns)')
    .option('--no-headers', 'no header line in CSV, TSV and Markdown');
}

function addMomentOptions(cmd: Command): Command {
  return addOutputOptions(
    cmd
      .option('-t, --topic <name>', `only this topic: ${TOPIC_RULE} (repeatable)`, repeat)
      .option('-s, --since <when>', 'report moments from this long ago (7d, 48h) or this time (ISO-8601)', '7d')
      .option('-n, --limit <n>', 'at most this many moments')
      .option('--as-of <time>', 'evaluate as if it were this time (ISO-8601, or a duration ago such as 24h); reproducible output')
      .option('--sensitivity <level>', 'low | medium | high (default from the config: medium)')
      .option('--fail-on-moments', `exit ${ExitCode.MOMENTS_FOUND} when any moment is reported (for cron and scripts)`)
      .option('--alerts', 'only moments that alerted within the period: when they fired, or again when they doubled since they last alerted (one alert per burst, for cron)')
      .option('--accounts', 'only moments whose items involve a known account (momentscan accounts import)')
      .option('--backtest', 'replay the period bucket by bucket: list, oldest first, the moments that would have fired and when, and the alerts per topic per week (stderr); records no moment')
      .option('-v, --verbose', 'explain each moment below the table'),
  );
}

function addFetchOptions(cmd: Command): Command {
  return cmd
    .option('--concurrency <n>', 'feeds fetched at once (default from the config: 8)', (v: string) => parsePositive(v, '--concurrency'))
    .option('--strict', `exit ${ExitCode.FEEDS_FAILED} when any feed failed`)
    .option('--force', 'fetch every feed now, even those not due yet (refresh interval, max-age, Retry-After) or retired (410 Gone)');
}

function parsePositive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new InvalidArgumentError(`${flag} takes a whole number from 1 to 256.`);
  }
  return n;
}

export function buildProgram(): Command {
  const program = new Command('momentscan');
  program
    .description('Target moments, not target audiences: watch keyword feeds and find the spikes and sentiment swings worth reacting to.')
    .version(version(), '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file (default $MOMENTSCAN_CONFIG, else $XDG_CONFIG_HOME/momentscan/config.yaml)')
    .option('--db <file|url>', 'database: a SQLite file, or a PostgreSQL database as postgres://user@host:5432/name (default $MOMENTSCAN_DB, else the config\'s database, else $XDG_DATA_HOME/momentscan/momentscan.db)')
    .option('--no-color', 'never colour the output (also NO_COLOR=1)')
    .option('-q, --quiet', 'no progress or summary on stderr (errors and warnings still go there)')
    .option('--debug', 'print stack traces with errors')
    .option('--tz <zone>', "the time zone times are shown in and days begin in (IANA name, e.g. Europe/Amsterdam; default the config's defaults.timeZone, else UTC); JSON, NDJSON and CSV stay UTC")
    .exitOverride()
    .configureOutput({ outputError: usageLine('momentscan', false, program) });

  const action = (load: () => Promise<{ run: Action }>) =>
    async function (this: Command) {
      const { run } = await load();
      process.exitCode = await run(this.optsWithGlobals() as GlobalOptions, this.opts() as never);
    };
  /**
   * `parent [list]`: `list` is the default sub-command. A word after `parent` that names no sub-command lands
   * there (`feeds tset x.xml`, `events lst`): it is named as the mistake, not taken as list's arguments.
   */
  const defaultList = (parent: Command, list: Command, load: () => Promise<{ run: Action }>) => {
    list.allowExcessArguments(true);
    showDefaultOptions(parent, list);
    const run = action(load);
    list.action(async function (this: Command) {
      const [word] = this.args;
      if (word !== undefined) throw unknownCommand(parent, word);
      await run.call(this);
    });
  };

  program
    .command('init')
    .description('write a commented starter config file')
    .option('--force', 'replace an existing config file')
    .action(action(() => import('./commands/init.js') as Promise<{ run: Action }>));

  addFetchOptions(
    addOutputOptions(
      program.command('fetch').description('fetch every configured feed into the database (a summary goes to stderr; --format prints per-feed results)'),
      null,
    ),
  )
    .option('--worker', 'one of several fetch workers sharing a PostgreSQL --db (any number, on any hosts): claim due feeds with leases until none is left, keeping each host\'s limit across all of them')
    .action(action(() => import('./commands/fetch.js') as Promise<{ run: Action }>));

  const feeds = program
    .command('feeds')
    .description('list the configured feeds with their health, test one feed, or add and remove feeds in the config (feeds [list] | test | add | remove | import | export)');
  defaultList(
    feeds,
    addOutputOptions(feeds.command('list', { isDefault: true }).description('every configured feed: state, last success, failures in a row, share of 304s, items per day, problem')),
    async () => ({ run: (await import('./commands/feeds/list.js')).list }) as { run: Action },
  );
  addOutputOptions(
    feeds
      .command('test')
      .argument('<source>', 'a feed URL or a local file')
      .description('fetch or read one feed and show what would be stored (items, guids, links, dates, sentiment, topics), without touching the database'),
  ).action(async function (this: Command, source: string) {
    const { test } = await import('./commands/feeds/test.js');
    process.exitCode = await test(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), source });
  });

  addOutputOptions(
    program
      .command('items')
      .description('list stored items, newest first, with the topics they belong to (--explain: and why)')
      .option('-t, --topic <name>', `only items of this topic: ${TOPIC_RULE} (repeatable)`, repeat)
      .option('-s, --since <when>', 'items published from this long ago (7d, 48h) or this time (ISO-8601)', '7d')
      .option('--as-of <time>', 'items published up to this time (ISO-8601, or a duration ago)')
      .option('-n, --limit <n>', 'at most this many items (default 50; a note on stderr says how many there are)')
      .option('--all', 'every item of the period, however many')
      .option('--sort <order>', 'time (newest first), negative or positive (by sentiment)', 'time')
      .option('--explain', 'show, per topic, the query terms each item matched')
      .option('--search <query>', 'full-text search of titles and summaries: words, "phrases", OR, NOT or -word, prefix*'),
  ).action(action(() => import('./commands/items.js') as Promise<{ run: Action }>));

  feeds
    .command('import')
    .argument('<file>', 'an OPML file exported from a feed reader')
    .description('add the feeds of an OPML file to the config file (folders become topics of whole feeds, or tags with --as tags)')
    .option('--as <what>', 'what folders become: topics (default) or tags', 'topics')
    .option('--dry-run', 'print the config as it would be, change nothing')
    .action(async function (this: Command, file: string) {
      const { importOpml } = await import('./commands/feeds/import.js');
      process.exitCode = await importOpml(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), file });
    });
  feeds
    .command('add')
    .argument('<source>', 'a feed URL (http, https or file://) or a local file')
    .description('add one feed to the config file: to a topic\'s feeds (--topic) or to the plain feeds list, after reading it once as feeds test does')
    .option('-t, --topic <name>', `add it to this topic's feeds: ${TOPIC_RULE} (default: the plain feeds list, matched against every topic)`)
    .option('--title <text>', 'the name feeds list shows for it (default: the feed\'s own title)')
    .option('--tag <tag>', 'a label for it (repeatable; feeds export makes a plain feed\'s last tag its folder)', repeat)
    .option('--no-check', 'add it without fetching it first (a feed that cannot be read is otherwise refused, exit 1)')
    .option('--dry-run', 'print the config as it would be, change nothing')
    .option('--json', 'print what was done as JSON')
    .action(async function (this: Command, source: string) {
      const { add } = await import('./commands/feeds/add.js');
      process.exitCode = await add(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), source });
    });
  feeds
    .command('remove')
    .argument('<feed...>', 'feeds by URL (or path) or title, as feeds list shows them')
    .description('remove feeds from the config file (all of them or, when one is not there, none); their stored items stay in the database')
    .option('--dry-run', 'print the config as it would be, change nothing')
    .option('--json', 'print what was done as JSON')
    .action(async function (this: Command, feedsTyped: string[]) {
      const { remove } = await import('./commands/feeds/remove.js');
      process.exitCode = await remove(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), feeds: feedsTyped });
    });
  feeds
    .command('export')
    .description('print every configured feed as OPML 2.0, topics as folders (for a feed reader, or a backup)')
    .action(action(async () => ({ run: (await import('./commands/feeds/export.js')).exportOpml }) as unknown as { run: Action }));

  addOutputOptions(
    program
      .command('sentiment')
      .argument('[file]', 'a file of texts, one per line, or NDJSON objects with a "text" field; - or nothing for stdin')
      .description('score the sentiment of texts (one per line, or NDJSON with a text field), streaming; NDJSON out'),
    'ndjson',
  )
    .option('--language <code>', 'the texts are in this language (en, nl, de, fr or es); default: detected per text')
    .option('--explain', 'add the words and rules that moved each score')
    .action(async function (this: Command, source: string | undefined) {
      const { run } = await import('./commands/sentiment.js');
      process.exitCode = await run(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), ...(source ? { source } : {}) });
    });

  addOutputOptions(
    program
      .command('detect')
      .argument('[file]', 'a series: CSV with a header (timestamp,value[,sentiment][,n]) or NDJSON with those keys; - or nothing for stdin')
      .description('score a time series from elsewhere for moments, causally, one output row per input row (streams)'),
    'csv',
  )
    .option('--sensitivity <level>', 'low | medium | high (default medium): where `moment` turns true')
    .option('--counts', 'the values are counts of events (a value that is not a whole number of 0 or more is then an error): judge rows finer than 15 minutes in quarter hours, as topics (default: when they look like counts)')
    .option('--no-counts', 'the values are measurements: judge every row on its own')
    .addOption(new Option('--direction <way>', 'which bursts alert: up (rises, as for topics), down or both (default)').choices(['up', 'down', 'both']))
    .option('--resolution <step>', 'the series step (5m, 30m, 1h, 1d...); default: inferred from the timestamps')
    .option('--allow-negative', 'accept values below 0 (series that are not counts)')
    .action(async function (this: Command, source: string | undefined) {
      const { run } = await import('./commands/detect.js');
      process.exitCode = await run(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), ...(source ? { source } : {}) });
    });

  program
    .command('rescore')
    .description('score stored items again with this version\'s sentiment engine (after an upgrade)')
    .option('--all', 'every item, not only those scored by another engine version')
    .action(action(() => import('./commands/rescore.js') as Promise<{ run: Action }>));

  addOutputOptions(
    program
      .command('timeline')
      .argument('<topic>', `the topic: ${TOPIC_RULE}`)
      .description("a topic's buckets: stories, expected, tone, where the moments are, with a chart")
      .option('-s, --since <when>', 'from this long ago (7d, 48h) or this time (ISO-8601)', '7d')
      .option('--as-of <time>', 'as if it were this time (ISO-8601, or a duration ago such as 24h); reproducible output')
      .option('--bucket <size>', 'bucket size (1h, 6h, 1d; at most a quarter of the baseline) or auto; default from the config')
      .option('--sensitivity <level>', 'low | medium | high (default from the config)'),
  ).action(async function (this: Command, topic: string) {
    const { run } = await import('./commands/timeline.js');
    process.exitCode = await run(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), topic });
  });

  addMomentOptions(program.command('moments').description('detect, explain and rank moments from the stored items')).action(
    action(() => import('./commands/moments.js') as Promise<{ run: Action }>),
  );

  addFetchOptions(addMomentOptions(program.command('scan').description('fetch, then report the ranked moments: the one command for a quick look')))
    .option('--notify', 'then send the alerts to the notify channels, as momentscan notify does')
    .action(
    action(() => import('./commands/scan.js') as Promise<{ run: Action }>),
  );

  program
    .command('digest')
    .description('one cross-topic digest of a period (new, ongoing and faded moments, explained, with example links), printed or sent by email')
    .option('-s, --since <when>', 'the period: from this long ago (24h, 7d), this time (ISO-8601), or "last" (where the previous digest ended); default 24h')
    .option('--as-of <time>', 'end the period at this time instead of now (ISO-8601, or a duration ago such as 24h)')
    .option('--day <day>', 'the period is one calendar day in the team\'s time zone (--tz, defaults.timeZone), midnight to midnight: yesterday (the day before --as-of or now), today (up to now), or a date such as 2026-11-20')
    .option('-t, --topic <name>', `only this topic: ${TOPIC_RULE} (repeatable)`, repeat)
    .addOption(new Option('-f, --format <format>', 'printed format (an email always carries text and HTML)').choices(['text', 'markdown', 'html']).default('text'))
    .option('--send', 'send it by email (SMTP from the config\'s email section or $MOMENTSCAN_SMTP_URL) instead of printing it')
    .option('--to <address>', 'send to this address (repeatable, or comma-separated; default: the config\'s email.to)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--dry-run', 'print the email (MIME) that --send would send; send nothing, record nothing')
    .option('--always', 'send on quiet days too (otherwise a quiet day sends nothing)')
    .option('--resend', 'with --day and --send: send the day\'s digest even if it was sent to these recipients already (by this host or another)')
    .option('--sensitivity <level>', 'low | medium | high (default from the config: medium)')
    .option('--fail-on-moments', `exit ${ExitCode.MOMENTS_FOUND} when the digest has new or ongoing moments`)
    .action(action(() => import('./commands/digest.js') as Promise<{ run: Action }>));

  const topics = program
    .command('topics')
    .description('each topic: its query, feeds, items, learning state and last moment; or add, remove and rename topics (topics [list] | add | remove | rename)');
  defaultList(
    topics,
    addOutputOptions(topics.command('list', { isDefault: true }).description('each topic: its query, feeds, items, learning state and last moment')),
    async () => ({ run: (await import('./commands/topics/list.js')).list }) as { run: Action },
  );
  topics
    .command('add')
    .argument('<name>', 'the topic\'s name (unique, in any case)')
    .description('add a topic to the config file: what its items say (--keywords or --query) and where to search (--source)')
    .option('-k, --keywords <list>', 'words or phrases, comma-separated, any of which makes a match (repeatable)', repeat)
    .option('--query <query>', 'a query instead of keywords: words, "phrases", OR, AND, NOT or -word, ( ) (see Queries in the README)')
    .option('--exclude <list>', 'words or phrases, comma-separated, that veto a match (repeatable)', repeat)
    .option('--source <source>', 'a search source: google-news, bing-news, hackernews, reddit[:SUBREDDIT], mastodon:HASHTAG, ndjson:FILE, or a feed URL (repeatable)', repeat)
    .option('--dry-run', 'print the config as it would be, change nothing')
    .option('--json', 'print what was done as JSON')
    .action(async function (this: Command, name: string) {
      const { add } = await import('./commands/topics/add.js');
      process.exitCode = await add(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), name });
    });
  topics
    .command('remove')
    .argument('<topic...>', `topics: ${TOPIC_RULE}`)
    .description('remove topics from the config file, with their feeds and sources; what the database holds of them stays')
    .option('--dry-run', 'print the config as it would be, change nothing')
    .option('--json', 'print what was done as JSON')
    .action(async function (this: Command, names: string[]) {
      const { remove } = await import('./commands/topics/remove.js');
      process.exitCode = await remove(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), topics: names });
    });

  topics
    .command('rename')
    .argument('<topic>', `the topic: ${TOPIC_RULE}`)
    .argument('<new-name>', 'its new name (unique, in any case)')
    .description('rename a topic in the config file and the database: its history (items, counts, moments, labels) follows it')
    .option('--dry-run', 'print the config as it would be, change nothing')
    .option('--json', 'print what was done as JSON')
    .action(async function (this: Command, from: string, to: string) {
      const { rename } = await import('./commands/topics/rename.js');
      process.exitCode = await rename(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), from, to });
    });

  program
    .command('status')
    .description('one screen: config and database paths, feeds ok and failing, items per topic, topics still learning, SMTP login check')
    .option('--json', 'the same as JSON')
    .option('--no-smtp-check', 'do not connect to the SMTP server')
    .option('--check', 'read every page of the database for damage, even when unchanged since the last clean check')
    .action(action(() => import('./commands/status.js') as Promise<{ run: Action }>));

  program
    .command('watch')
    .description('a live view in the terminal: a column per topic, newest items with tone and source, moments as they fire; fetches due feeds every --interval (keys: ? in the view)')
    .option('-t, --topic <name>', `only this topic's column: ${TOPIC_RULE} (repeatable; in this order)`, repeat)
    .option('-s, --since <when>', 'items and moments from this long ago (7d, 48h) or this time (ISO-8601)', '7d')
    .option('--as-of <time>', 'show the view as of this time, fixed (ISO-8601, or a duration ago); reproducible')
    .option('--interval <duration>', 'how often to fetch the due feeds and reload (at least 5s, at most 1d)', '1m')
    .option('--no-fetch', 'never fetch: only reload from the database every --interval (another process fetches)')
    .option('--mute-for <duration>', 'how long the m key mutes a topic (a silence: notifications are held too)', '1d')
    .action(action(() => import('./commands/watch.js') as Promise<{ run: Action }>));

  // `momentscan help feeds test`: the help of the command named, however deep
  program.helpCommand(false);
  program
    .command('help')
    .argument('[command...]', 'the command, e.g. feeds test')
    .description('show the help of momentscan or of a command')
    .action((names: string[]) => {
      let cmd: Command = program;
      for (const name of names) {
        const sub = cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (!sub) throw unknownCommand(cmd, name);
        cmd = sub;
      }
      cmd.outputHelp();
    });

  const notify = program
    .command('notify')
    .description('send alerts to the channels of the config\'s notify routes (Slack, Teams, Discord, signed webhooks, email); notify [run] | notify test | notify list');
  const notifyRun = notify
    .command('run', { isDefault: true })
    .description('evaluate the alerts, queue them per route and channel, and deliver what is due (retries across runs)')
    .option('-s, --since <when>', 'look for alerts from this long ago (default: the config\'s notify.lookback, 24h)')
    .option('--as-of <time>', 'evaluate as if it were this time (ISO-8601, or a duration ago)')
    .option('--sensitivity <level>', 'low | medium | high (default from the config: medium)')
    .action(action(async () => ({ run: (await import('./commands/notify/run.js')).run }) as { run: Action }));
  showDefaultOptions(notify, notifyRun);
  notify
    .command('test')
    .argument('<channel>', 'a channel name from notify.channels')
    .description('send a test message to one channel and say how it went')
    .action(async function (this: Command, channel: string) {
      const { test } = await import('./commands/notify/test.js');
      process.exitCode = await test(this.optsWithGlobals() as GlobalOptions, { channel });
    });
  addOutputOptions(
    notify
      .command('list')
      .description('recent deliveries, newest first: channel, event, topic, status (sent, pending, failed, silenced), tries, problem')
      .option('-s, --since <when>', 'deliveries queued from this long ago (7d, 48h) or this time', '7d')
      .option('--status <status>', 'only pending, sent, failed or silenced ones')
      .option('-n, --limit <n>', 'at most this many', '50'),
  ).action(action(async () => ({ run: (await import('./commands/notify/list.js')).list }) as { run: Action }));

  program
    .command('db')
    .description('move a history between stores (db migrate)')
    .command('migrate')
    .description('copy a SQLite history (feeds, items, stories, moments, digests, notifications, verdicts) into a new PostgreSQL database, or a PostgreSQL one into a new SQLite file, in one transaction, checking every table\'s row count')
    .option('--from <file|url>', 'the SQLite database file, or the postgres:// URL, to copy from (only read)')
    .option('--to <url|file>', 'the PostgreSQL database to copy into: postgres://user@host:5432/database (empty, or new); or, from PostgreSQL, the SQLite file to make (new, or empty)')
    .action(action(async () => ({ run: (await import('./commands/db.js')).migrate }) as { run: Action }));

  const silence = program.command('silence').description('hold a topic\'s notifications for a while (silence add | [list] | remove)');
  silence
    .command('add')
    .argument('<topic>', `the topic (${TOPIC_RULE}), or * for every topic`)
    .description('silence a topic\'s notifications: alerts meanwhile are recorded, never sent')
    .option('--for <duration>', 'for this long (30m, 2h, 1d)')
    .option('--until <time>', 'until this time (ISO-8601)')
    .option('--comment <text>', 'why (shown in silence list)')
    .action(async function (this: Command, topic: string) {
      const { add } = await import('./commands/silence.js');
      process.exitCode = await add(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), topic });
    });
  const silenceList = addOutputOptions(
    silence.command('list', { isDefault: true }).description('silences in force (with --all, also those over)').option('--all', 'also silences that are over'),
  );
  showDefaultOptions(silence, silenceList);
  silenceList.action(action(async () => ({ run: (await import('./commands/silence.js')).list }) as { run: Action }));
  silence
    .command('remove')
    .argument('<id...>', 'silence ids (from silence list)')
    .description('end silences now and forget them (all of them or, when one is not there, none; silence list --all no longer shows them)')
    .action(async function (this: Command, ids: string[]) {
      const { remove } = await import('./commands/silence.js');
      process.exitCode = await remove(this.optsWithGlobals() as GlobalOptions, { ids });
    });

  const events = program
    .command('events')
    .description('planned events (launches, campaigns): moments overlapping one are labelled planned (events add | [list] | remove | import)');
  events
    .command('add')
    .argument('<topic>', `the topic (${TOPIC_RULE}), or * for every topic`)
    .description('add a planned event: the topic\'s moments overlapping it are labelled planned (still reported)')
    .option('--from <time>', 'when it starts (ISO-8601, e.g. 2026-12-01T09:00:00Z; a date alone is midnight UTC)')
    .option('--to <time>', 'when it ends (default: the --from instant)')
    .option('--note <text>', 'what it is ("launch"), shown with the moments it explains')
    .option('--lead <duration>', 'moments up to this long before it count as planned too (2h, 1d; default 0)')
    .option('--lag <duration>', 'moments up to this long after it count as planned too (default 0)')
    .action(async function (this: Command, topic: string) {
      const { add } = await import('./commands/events/add.js');
      process.exitCode = await add(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), topic });
    });
  defaultList(
    events,
    addOutputOptions(
      events
        .command('list', { isDefault: true })
        .description('planned events by start: id, topic, from, to, lead and lag, note')
        .option('-t, --topic <name>', `only this topic's events (and those of every topic): ${TOPIC_RULE} (repeatable)`, repeat)
        .option('-s, --since <when>', 'only events reaching past this time (7d ago, or ISO-8601)'),
    ),
    async () => ({ run: (await import('./commands/events/list.js')).list }) as { run: Action },
  );
  events
    .command('remove')
    .argument('<id...>', 'event ids (from events list)')
    .description('remove planned events (all of them or, when one is not there, none)')
    .action(async function (this: Command, ids: string[]) {
      const { remove } = await import('./commands/events/remove.js');
      process.exitCode = await remove(this.optsWithGlobals() as GlobalOptions, { ids });
    });
  events
    .command('import')
    .argument('<file>', 'an iCalendar file (.ics) exported from a calendar')
    .description('import the VEVENTs of an iCalendar file as planned events, in one transaction; importing it again replaces them (by UID)')
    .option('-t, --topic <name>', `put every event in this topic (default: the topics its CATEGORIES name, else every topic): ${TOPIC_RULE}`)
    .option('--lead <duration>', 'moments up to this long before each event count as planned too')
    .option('--lag <duration>', 'moments up to this long after each event count as planned too')
    .option('--dry-run', 'read and check the file, import nothing')
    .action(async function (this: Command, file: string) {
      const { importIcs } = await import('./commands/events/import.js');
      process.exitCode = await importIcs(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), file });
    });

  program
    .command('label')
    .argument('<moment>', 'the moment id (the id column or field of moments, scan and the digest)')
    .argument('<verdict>', 'real, noise or planned (clear withdraws the label)')
    .description('say whether a moment was real, noise or planned: topic thresholds learn from it (momentscan topics shows them)')
    .option('--note <text>', 'why (shown with the moment)')
    .option('--at <time>', 'when the verdict was given, for threshold learning (ISO-8601 or a duration ago; default now)')
    .action(async function (this: Command, moment: string, verdict: string) {
      const { run } = await import('./commands/label.js');
      process.exitCode = await run(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), moment, verdict });
    });

  addOutputOptions(
    program
      .command('quality')
      .description('per topic: moments labelled (real, noise, planned), precision, alerts per week, and the threshold with why')
      .option('-t, --topic <name>', `only this topic: ${TOPIC_RULE} (repeatable)`, repeat)
      .option('-s, --since <when>', 'moments that started from this long ago (30d) or this time', '30d')
      .option('--as-of <time>', 'the end of the period (ISO-8601, or a duration ago; default now)'),
  ).action(action(() => import('./commands/quality.js') as Promise<{ run: Action }>));


  program
    .command('export')
    .description('write the moments involving known accounts as CSV files a CRM imports: HubSpot notes and companies, or Salesforce notes')
    .addOption(new Option('--to <crm>', 'the CRM: hubspot (hubspot-notes.csv, hubspot-companies.csv) or salesforce (salesforce-notes.csv)').choices(['hubspot', 'salesforce']).makeOptionMandatory())
    .option('-o, --out <dir>', 'the folder to write the files in (default: the current one)')
    .option('-s, --since <when>', 'moments from this long ago (7d, 48h) or this time (ISO-8601)', '7d')
    .option('--as-of <time>', 'evaluate as if it were this time (ISO-8601, or a duration ago); reproducible output')
    .option('-t, --topic <name>', `only this topic: ${TOPIC_RULE} (repeatable)`, repeat)
    .option('--sensitivity <level>', 'low | medium | high (default from the config: medium)')
    .action(action(() => import('./commands/export.js') as Promise<{ run: Action }>));

  const accounts = program
    .command('accounts')
    .description('known accounts from the CRM (companies, contacts): which items and moments involve them (accounts import | [list] | remove)');
  accounts
    .command('import')
    .argument('<file>', 'a CSV export: HubSpot companies or contacts, Salesforce accounts or contacts, or any CSV with --map')
    .description('store the accounts (and contacts) of a CRM export, merged by domain and e-mail, and match every stored item against them again')
    .option('--map <column=field>', 'read this column as this field: name, domain, aliases, handle, id, email, firstName, lastName, company, companyId, or - to ignore it (repeatable)', repeat)
    .option('--replace', 'forget every stored account first (default: merge, by domain and e-mail)')
    .option('--json', 'print what was imported as JSON')
    .action(async function (this: Command, file: string) {
      const { importAccounts } = await import('./commands/accounts/import.js');
      process.exitCode = await importAccounts(this.optsWithGlobals() as GlobalOptions, { ...(this.opts() as object), file });
    });
  const accountsList = addOutputOptions(
    accounts.command('list', { isDefault: true }).description('every known account: domain, contacts, items involving it, names flagged for review'),
  );
  showDefaultOptions(accounts, accountsList);
  accountsList.action(action(async () => ({ run: (await import('./commands/accounts/list.js')).list }) as { run: Action }));
  accounts
    .command('remove')
    .argument('<account...>', 'accounts by id, domain or name (as accounts list shows them)')
    .description('forget accounts, with their contacts and matches')
    .action(async function (this: Command, keys: string[]) {
      const { remove } = await import('./commands/accounts/remove.js');
      process.exitCode = await remove(this.optsWithGlobals() as GlobalOptions, { keys });
    });

  // a usage error points to the help of the command it was made in
  const walk = (cmd: Command) => {
    for (const c of cmd.commands) {
      c.configureOutput({ outputError: usageLine(commandPath(c), c.options.some((o) => o.long === '--as-of'), c) });
      walk(c);
    }
  };
  walk(program);
  return program;
}

/**
 * The help of every command as the CLI prints it to a pipe (80 columns, no colour), by command path
 * ('' for momentscan itself): what the build caches in dist/help.json (src/help-cache.ts). Each text is
 * asked for the three ways a user can (`… --help`, `… -h`, `help …`); a command whose answers differ,
 * or that answers on stderr, is left out, and the CLI answers it.
 */
export async function helpTexts(): Promise<Record<string, string>> {
  const paths: string[][] = [];
  const collect = (cmd: Command, path: string[]) => {
    paths.push(path);
    for (const c of cmd.commands) collect(c, [...path, c.name()]);
  };
  collect(buildProgram(), []);
  const texts: Record<string, string> = {};
  for (const path of paths) {
    const answers: (string | undefined)[] = [];
    for (const args of [[...path, '--help'], [...path, '-h'], ['help', ...path]]) answers.push(await helpAnswer(args));
    if (answers[0] !== undefined && answers.every((a) => a === answers[0])) texts[path.join(' ')] = answers[0];
  }
  return texts;
}

/** What the CLI prints on stdout for these arguments when they only ask for help; else undefined. */
async function helpAnswer(args: string[]): Promise<string | undefined> {
  const program = buildProgram();
  let out = '';
  let err = '';
  const capture = (cmd: Command) => {
    cmd.configureOutput({ writeOut: (s) => void (out += s), writeErr: (s) => void (err += s), getOutHelpWidth: () => 80, getOutHasColors: () => false });
    cmd.commands.forEach(capture);
  };
  capture(program);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError && (e.code === 'commander.helpDisplayed' || e.code === 'commander.help'))) return undefined;
  }
  return err === '' && out !== '' ? out : undefined;
}

/**
 * `parent --help` lists the options of its default sub-command too, since `parent --since 6h` runs it
 * with them (they come first, -h last, as under the sub-command's own --help). Only the help text: the
 * options commander suggests for a mistyped one under another sub-command stay that command's own
 * (`events add X --since 1d` said "unknown option '--since' (Did you mean --since?)").
 */
function showDefaultOptions(parent: Command, sub: Command): void {
  // `silence lst` lands in the default sub-command (list), which said "too many arguments for 'list'":
  // a word where a sub-command goes is an unknown command, worded as every other one
  if (sub.registeredArguments.length === 0) {
    sub.allowExcessArguments(true).hook('preAction', (_cmd, action) => {
      if (action.args[0] === undefined) return;
      // 'silence list extra': the sub-command was named, the word is one too many, as commander says it
      if (parent.args[0] === sub.name()) {
        action.error(`error: too many arguments for '${sub.name()}'. Expected 0 arguments but got ${action.args.length}.`, { code: 'commander.excessArguments', exitCode: ExitCode.USAGE });
      }
      throw unknownCommand(parent, action.args[0]);
    });
  }
  parent.configureHelp({
    formatHelp(this: Help, cmd: Command, helper: Help) {
      if (cmd !== parent) return Help.prototype.formatHelp.call(this, cmd, helper);
      const listing = Object.create(helper) as Help;
      listing.visibleOptions = (c: Command) => {
        const own = helper.visibleOptions(c);
        return c === parent ? [...helper.visibleOptions(sub).filter((o) => o.long !== '--help'), ...own] : own;
      };
      return Help.prototype.formatHelp.call(listing, cmd, listing);
    },
  });
}

/**
 * A usage error commander found, in one line as every error is: `momentscan: error: <what> — see <command>
 * --help for usage`, commander's suggestion first (`— did you mean --json? See momentscan moments --help for usage`).
 */
function usageLine(path: string, asOf = false, cmd?: Command): (str: string, write: (str: string) => void) => void {
  return (str, write) => {
    let what = stripControl(str.trim()).replace(/^error: /, '');
    // commander's own unknown command ('momnets', 'db mgirate'), worded as the others (see unknownCommand)
    const unknown = cmd && /^unknown command '(.*)'/.exec(what);
    if (unknown) {
      write(`momentscan: error: ${formatError(unknownCommand(cmd, unknown[1]!))}\n`);
      return;
    }
    const suggestion = /\s*\(Did you mean (.+?)\?\)$/.exec(what);
    if (suggestion) what = what.slice(0, suggestion.index);
    what = what.replace(/\s+/g, ' ').replace(/\.$/, '');
    // a period's end asked for by another name: the period ends at --as-of (`moments --until 2026-11-20` said only "see --help")
    const until = asOf && !suggestion && /^unknown option '--(until|to|end|before)(=.*)?'$/.test(what);
    const hint = until ? 'the period ends at --as-of: --since 7d --as-of 2026-11-20T12:00:00Z is the 7 days up to then. See' : suggestion ? `did you mean ${suggestion[1]}? See` : 'see';
    write(`momentscan: error: ${what} — ${hint} ${path} --help for usage\n`);
  };
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** A usage error for `word`, not a sub-command of `parent`, suggesting the closest one. */
function unknownCommand(parent: Command, word: string): UsageError {
  const names = parent.commands.map((c) => c.name()).filter((n) => n !== 'help');
  const close = names.map((n) => ({ n, d: editDistance(word.toLowerCase(), n) })).sort((a, b) => a.d - b.d)[0];
  const where = commandPath(parent);
  const hint = close && close.d <= Math.max(1, Math.floor(close.n.length / 2)) ? `did you mean ${where} ${close.n}? See ${where} ${close.n} --help` : `the commands are ${names.join(', ')}; see ${where} --help`;
  return new UsageError(`unknown command "${stripControl(word)}"${parent.parent ? ` for ${where}` : ''}`, { hint });
}

export async function main(argv: string[]): Promise<void> {
  // `| head` closes the pipe early: end quietly. Any other fault (a full disk, EIO) is said once, in one
  // line, and fails the run (exit 1) whatever the command's own code: the output is incomplete.
  let outputFailed = false;
  const outputFailure = (err: OutputError) => {
    if (!outputFailed) process.stderr.write(`momentscan: error: ${stripControl(formatError(err))}\n`);
    outputFailed = true;
    process.exitCode = ExitCode.FAILURE;
  };
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    const fault = outputFault(err, process.stdout);
    if (fault) outputFailure(fault);
    else process.exitCode = process.exitCode ?? 0;
  });
  const debug = argv.includes('--debug');
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof OutputError) {
      outputFailure(err);
      return;
    }
    if (err instanceof CommanderError) {
      // help and version end with 0; usage errors were already printed by commander
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        process.exitCode = 0;
      } else {
        process.exitCode = ExitCode.USAGE;
      }
      return;
    }
    // messages quote input, config keys and server replies: none of it may drive the terminal
    process.stderr.write(`momentscan: error: ${stripControl(formatError(err))}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof MomentscanError ? err.exitCode : ExitCode.FAILURE;
  } finally {
    // (the command set its own code after its output had failed)
    if (outputFailed) process.exitCode = ExitCode.FAILURE;
  }
}
