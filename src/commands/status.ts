import { statSync } from 'node:fs';
import { reviewNotes } from '../enrich/accounts.js';
import { accountDefs } from '../enrich/sync-accounts.js';
import { ExitCode, formatError, MomentscanError, UsageError } from '../core/errors.js';
import { renderStatus, statusJson, type Status } from '../render/status.js';
import { isPostgresUrl, openStore, storeExists } from '../store/store.js';
import { lastCleanCheck, recordCleanCheck, stampOf } from '../store/check-record.js';
import { redactUrl } from '../store/pg/url.js';
import { configFor, log, processEnv, renderContext, writeOut, type GlobalOptions } from './context.js';
import { feedState } from '../moments/feed-health.js';
import { configuredFeeds } from '../ingest/due.js';
import { topicRows } from '../moments/topic-state.js';

export interface StatusOptions {
  json?: boolean;
  format?: string;
  /** --no-smtp-check sets this to false. */
  smtpCheck?: boolean;
  /** --check: read every page for damage, even when the file is unchanged since the last clean check. */
  check?: boolean;
}

/**
 * `momentscan status`: where the config and the database are, how the feeds fare, items per topic and
 * which topics are still learning, and whether the SMTP settings work (it connects and logs in, sending
 * nothing). One screen, or `--json`.
 */
export async function run(g: GlobalOptions, o: StatusOptions): Promise<number> {
  const env = processEnv();
  const json = o.json || o.format === 'json';
  if (o.format !== undefined && o.format !== 'json' && o.format !== 'table') throw new UsageError(`--format: status writes table or json, not "${o.format}"`);
  const { config, configPath, dbPath } = configFor(g, env);
  const now = env.now();
  const feeds: Status['feeds'] = { total: 0, ok: 0, failing: 0, new: 0, retired: 0, lastFetchAt: null, claimed: null };
  const urls = configuredFeeds(config);
  feeds.total = urls.length;
  const dbExists = storeExists(dbPath);
  // every page read for damage when the file changed since the last clean check (or a week passed): check-record.ts
  const sqlite = dbExists && !isPostgresUrl(dbPath);
  const stamp = sqlite ? stampOf(dbPath) : null;
  const fullCheck = !sqlite || o.check === true || lastCleanCheck(dbPath, stamp, now, env.env) === null;
  const store = dbExists ? await openStore(dbPath, { fullCheck, readonlyIfDenied: true }) : null;
  if (sqlite && fullCheck && store && !store.readonly) recordCleanCheck(dbPath, stamp, now, env.env);
  let topics;
  const accounts = { known: 0, withItems: 0, review: 0 };
  try {
    const known = new Map((store?.feedHealth(urls, now, now) ?? []).map((h) => [h.url, h]));
    for (const url of urls) {
      const h = known.get(url);
      feeds[h ? feedState(h) : 'new']++;
      if (h?.lastFetchedAt != null && (feeds.lastFetchAt === null || h.lastFetchedAt > feeds.lastFetchAt)) feeds.lastFetchAt = h.lastFetchedAt;
    }
    // feeds fetch --worker processes hold (PostgreSQL): one that died holds its feeds until its leases end
    feeds.claimed = store?.leases?.claimedFeeds(urls) ?? null;
    topics = topicRows(config, store, now, undefined, (line) => log(`momentscan: warning: ${line}`));
    if (store) {
      const rows = store.listAccounts();
      accounts.known = rows.length;
      accounts.withItems = rows.filter((a) => a.items > 0).length;
      accounts.review = reviewNotes(accountDefs(rows)).size;
    }
  } finally {
    store?.close();
  }
  const email = await emailStatus(config, env.env, o.smtpCheck !== false);
  const status: Status = {
    config: { path: configPath, exists: config.file !== null },
    // a PostgreSQL database is named by its URL without the password, and its size is the server's business
    database: isPostgresUrl(dbPath)
      ? { path: redactUrl(dbPath), exists: true, bytes: null }
      : { path: dbPath, exists: dbExists, bytes: dbExists ? statSync(dbPath).size : null },
    feeds,
    topics,
    accounts,
    email: email.status,
    now,
  };
  await writeOut(json ? `${JSON.stringify(statusJson(status), null, 2)}\n` : renderStatus(status, await renderContext(g, {}, env, now, 'table', config.defaults.timeZone)));
  // a health check (cron, a script) goes by the exit status: email that does not work is a failure of the set-up
  if (email.failure === null) return ExitCode.OK;
  log(`momentscan: error: ${email.failure.line}`);
  return email.failure.exitCode;
}

/**
 * The SMTP settings as `digest --send` would use them, and whether the server takes a login (nothing is
 * sent); a failure is also an error to report after the screen: a bad URL exits 2, a failed check 1.
 */
async function emailStatus(
  config: Parameters<typeof topicRows>[0],
  env: NodeJS.ProcessEnv,
  check: boolean,
): Promise<{ status: Status['email']; failure: { line: string; exitCode: number } | null }> {
  const url = env.MOMENTSCAN_SMTP_URL?.trim() || config.email?.smtp || null;
  const to = config.email?.to ?? [];
  if (!url) return { status: { server: null, to, check: 'not configured' }, failure: null };
  const smtp = await import('../email/smtp.js');
  const source = env.MOMENTSCAN_SMTP_URL?.trim() ? 'MOMENTSCAN_SMTP_URL' : `${config.file ?? 'config'}: email.smtp`;
  let settings;
  try {
    settings = smtp.resolveSmtp({ url, source, passwordFile: config.email?.passwordFile ?? null });
  } catch (err) {
    const failure = { line: `email: ${formatError(err)}`, exitCode: err instanceof MomentscanError ? err.exitCode : ExitCode.FAILURE };
    return { status: { server: smtp.sanitizeSmtpUrl(url), to, check: `failed: ${formatError(err)}` }, failure };
  }
  if (!check) return { status: { server: settings.display, to, check: 'not checked' }, failure: null };
  const problem = await smtp.checkSmtp({ ...settings, deadlineMs: 15_000 });
  if (problem === null) return { status: { server: settings.display, to, check: 'ok' }, failure: null };
  const failure = {
    line: `email: the SMTP check of ${settings.display} failed: ${problem} — ${problem.startsWith('the server refused the login') ? `check the user in the SMTP URL (${source}) and the password in email.passwordFile` : `check the SMTP URL (${source}) and that the server is up`}; --no-smtp-check leaves the check out`,
    exitCode: ExitCode.FAILURE,
  };
  return { status: { server: settings.display, to, check: `failed: ${problem}` }, failure };
}
