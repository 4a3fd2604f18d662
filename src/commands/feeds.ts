import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyImport, planImport } from '../config/edit.js';
import { MAX_CONFIG_BYTES, parseConfigText } from '../config/load.js';
import { OpmlError, parseOpml, renderOpml, type OpmlOutline } from '../config/opml.js';
import { feedUrl } from '../config/schema.js';
import { ConfigError, FeedError, InputError, MomentscanError, UsageError } from '../core/errors.js';
import { userAgent } from '../core/version.js';
import { createDispatcher, fetchFeed } from '../fetch/http.js';
import { withRetries } from '../fetch/retry.js';
import { feedHealthRows } from '../moments/feed-health.js';
import type { FeedHealthRow } from '../moments/types.js';
import { feedHealthListing, testItemsListing } from '../render/feeds.js';
import { render } from '../render/index.js';
import { Store } from '../store/store.js';
import { chooseFormat, configFor, log, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from './context.js';
import { configuredFeeds } from '../ingest/due.js';
import { inlineParser } from '../ingest/parse-pool.js';

/** The largest OPML file read (a feed reader's 20,000 subscriptions take about 2 MB). */
const MAX_OPML_BYTES = 8 << 20;

/** `momentscan feeds`: every configured feed with its health, from the database (read-only). */
export async function list(g: GlobalOptions, o: OutputOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config, dbPath } = configFor(g, env);
  const urls = configuredFeeds(config);
  const now = env.now();
  // no database yet: every feed is new (and none is created just to say so)
  const store = existsSync(dbPath) ? Store.open(dbPath, { readonlyIfDenied: true }) : null;
  let rows: FeedHealthRow[];
  try {
    rows = feedHealthRows(config, store, urls, now);
  } finally {
    store?.close();
  }
  await writeOut(render(format, feedHealthListing(rows, now), renderContext(g, o, env, now)));
  return 0;
}

/** `momentscan feeds test URL|FILE`: fetch or read one feed and show what would be stored, touching nothing. */
export async function test(g: GlobalOptions, o: OutputOptions & { source: string }): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config } = configFor(g, env);
  const url = /^[a-z][a-z0-9+.-]*:/i.test(o.source) && !/^[a-z]:\\/i.test(o.source) ? feedUrl(o.source, process.cwd()) : pathToFileURL(path.resolve(o.source)).href;
  if (!url) throw new UsageError(`feeds test: "${o.source}" is not an http(s) URL, a file:// URL or a path`);
  const dispatcher = createDispatcher(config.fetch.timeoutMs, 1);
  const fetchedAt = env.now();
  try {
    const { value: out } = await withRetries(
      () => fetchFeed(url, { timeoutMs: config.fetch.timeoutMs, maxBytes: config.fetch.maxBytes, userAgent: userAgent(), dispatcher, allowRedirectsTo: config.fetch.allowRedirectsTo }),
      { retries: config.fetch.retries, baseDelayMs: 1000, maxWaitMs: 10_000 },
    );
    if (out.status !== 'ok') throw new UsageError('unexpected 304 answer to an unconditional request');
    const parser = inlineParser(config.topics);
    const parsed = await parser.parse({ body: out.body, contentType: out.contentType, url: out.finalUrl, feedUrl: url, language: config.feedLanguages.get(url) ?? null, fetchedAt });
    await writeOut(render(format, testItemsListing(parsed.items, parsed.title), renderContext(g, o, env, fetchedAt)));
    return 0;
  } catch (err) {
    if (err instanceof FeedError) throw new MomentscanError(`${o.source}: ${err.message}`, err.hint ? { hint: err.hint } : {});
    throw err;
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

export interface ImportOptions {
  file: string;
  as?: string;
  dryRun?: boolean;
}

/**
 * `momentscan feeds import FILE.opml`: adds a feed reader's subscriptions to the config file (folders
 * become topics, or tags with --as tags), keeping the file's comments; --dry-run prints the result instead.
 */
export async function importOpml(g: GlobalOptions, o: ImportOptions): Promise<number> {
  const env = processEnv();
  const as = o.as ?? 'topics';
  if (as !== 'topics' && as !== 'tags') throw new UsageError(`--as: expected topics or tags, got "${as}"`);
  const { config, configPath } = configFor(g, env);
  let text: string;
  try {
    const st = statSync(o.file);
    if (!st.isFile()) throw new UsageError(`${o.file}: not a regular file`, { hint: 'give the path of an OPML file' });
    if (st.size > MAX_OPML_BYTES) throw new UsageError(`${o.file}: the feed list is ${(st.size / 2 ** 20).toFixed(1)} MB, more than the ${MAX_OPML_BYTES / 2 ** 20} MB momentscan reads`, { hint: 'import it in parts' });
    text = readFileSync(o.file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read the feed list (${code ?? String(err)})`;
    throw new UsageError(`${o.file}: ${why}`, { hint: 'check the path of the OPML file' });
  }
  let opml;
  try {
    opml = parseOpml(text);
  } catch (err) {
    if (err instanceof OpmlError) throw new InputError(`${o.file}: ${err.message}`, { hint: 'export the subscriptions from your feed reader as OPML' });
    throw err;
  }
  const plan = planImport(config, opml, as);
  const current = existsSync(configPath) ? readFileSync(configPath, 'utf8') : '';
  const next = applyImport(current, plan);
  const bytes = Buffer.byteLength(next);
  if (bytes > MAX_CONFIG_BYTES) {
    throw new ConfigError(`${o.file}: importing it would make the config ${(bytes / 2 ** 20).toFixed(1)} MB, more than the ${MAX_CONFIG_BYTES / 2 ** 20} MB momentscan reads`, {
      hint: 'import fewer feeds (--as tags keeps them out of topics), or split the list',
    });
  }
  // the result must still be a valid config: never write a file that would not load
  parseConfigText(next, configPath);
  const added = [...plan.topics.values()].reduce((a, l) => a + l.length, 0) + plan.feeds.length;
  if (o.dryRun) await writeOut(next);
  else if (added > 0) {
    mkdirSync(path.dirname(configPath), { recursive: true });
    const tmp = `${configPath}.tmp-${process.pid}`;
    writeFileSync(tmp, next);
    renameSync(tmp, configPath);
  }
  if (!g.quiet) {
    const parts = [`${added} feed${added === 1 ? '' : 's'} ${o.dryRun ? 'would be added' : 'added'}`];
    if (plan.topics.size) parts.push(`in ${plan.topics.size} topic${plan.topics.size === 1 ? '' : 's'} (${[...plan.topics.keys()].join(', ')})`);
    if (plan.skipped.length) parts.push(`${plan.skipped.length} already configured`);
    if (plan.invalid.length) parts.push(`${plan.invalid.length} not ${plan.invalid.length === 1 ? 'an http(s) or file:// feed URL' : 'http(s) or file:// feed URLs'}, left out`);
    log(`momentscan: ${parts.join('; ')}${o.dryRun ? '' : ` — ${configPath}`}`);
  }
  return 0;
}

/** `momentscan feeds export`: every configured feed as OPML 2.0, topics as folders. */
export async function exportOpml(g: GlobalOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const titles = new Map(config.feedTitles);
  if (existsSync(dbPath)) {
    const store = Store.open(dbPath, { readonlyIfDenied: true });
    try {
      for (const h of store.feedHealth(configuredFeeds(config), 0, env.now())) if (h.title && !titles.has(h.url)) titles.set(h.url, h.title);
    } finally {
      store.close();
    }
  }
  const feedOutline = (url: string) => ({ text: titles.get(url) ?? url, xmlUrl: url });
  const outlines: OpmlOutline[] = config.topics.map((t) => ({ text: t.name, children: t.feeds.map(feedOutline) }));
  const byTag = new Map<string, string[]>();
  for (const url of config.feeds) {
    const tag = config.feedTags.get(url)?.at(-1) ?? '';
    byTag.set(tag, [...(byTag.get(tag) ?? []), url]);
  }
  for (const [tag, urls] of byTag) {
    if (tag) outlines.push({ text: tag, children: urls.map(feedOutline) });
    else outlines.push(...urls.map(feedOutline));
  }
  await writeOut(renderOpml('momentscan feeds', outlines, new Date(env.now())));
  return 0;
}
