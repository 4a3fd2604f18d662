import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, MomentscanError, UsageError } from '../core/errors.js';
import { evaluate } from '../moments/evaluate.js';
import { CRM_TARGETS, crmFiles, withdrawFile, type CrmAccount, type CrmTarget } from '../render/crm.js';
import { openStore } from '../store/store.js';
import { makeDirs } from '../core/paths.js';
import { checkWindow, configFor, log, processEnv, type GlobalOptions } from './context.js';
import { asOfFlag, sensitivityFlag, sinceFlag, topicsFlag } from './flags.js';

export interface ExportOptions {
  to?: string;
  out?: string;
  since?: string;
  asOf?: string;
  topic?: string[];
  sensitivity?: string;
}

/**
 * `momentscan export --to hubspot|salesforce`: the moments of the period that involve known accounts, as
 * import-ready CSV files in --out (default: the current folder). Each file is written whole, then renamed
 * into place: an interrupted export leaves the previous file as it was.
 */
export async function run(g: GlobalOptions, o: ExportOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  if (!o.to || !(CRM_TARGETS as readonly string[]).includes(o.to)) {
    throw new UsageError(`export: --to must be one of ${CRM_TARGETS.join(', ')}${o.to ? `, not "${o.to}"` : ''}`);
  }
  const to = o.to as CrmTarget;
  const asOf = asOfFlag(o.asOf, env.now(), config.defaults.timeZone);
  const since = o.since ?? '7d';
  const from = sinceFlag(since, asOf, config.defaults.timeZone);
  const sensitivity = sensitivityFlag(o.sensitivity);
  const topics = topicsFlag(config, o.topic);
  checkWindow(config, { since, from, asOf, ...(o.asOf !== undefined ? { asOfText: o.asOf } : {}), ...(topics.length ? { topics } : {}) });
  const dir = path.resolve(o.out ?? '.');
  // the folder first (made if missing), before any work: a file given as --out is a usage error
  makeOutDir(dir, o.out ?? '.');
  const store = await openStore(dbPath, { readonlyIfDenied: true });
  let result;
  let accounts: Map<number, CrmAccount>;
  try {
    result = evaluate(config, store, { asOf, from, accounts: true, warn: (line) => log(`momentscan: warning: ${line}`), ...(topics.length ? { topics } : {}), ...(sensitivity ? { sensitivity } : {}) });
    accounts = new Map(store.accountRecords().map((a) => [a.id, a]));
  } finally {
    store.close();
  }
  if (accounts.size === 0 && !g.quiet) log('export: no accounts are known: import them first with momentscan accounts import FILE.csv');
  // a moment the team labelled noise is not news about an account: it stays out of the CRM
  const rows = result.rows.filter((m) => m.label?.verdict !== 'noise');
  const noise = result.rows.length - rows.length;
  const files = crmFiles(to, rows, accounts);
  // an export before the label may have put their notes in the CRM: their ids, to delete there
  const withdraw = withdrawFile(to, result.rows.filter((m) => m.label?.verdict === 'noise'), accounts);
  if (withdraw) files.push(withdraw);
  try {
    for (const f of files) {
      const file = path.join(dir, f.name);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, f.text);
      renameSync(tmp, file);
    }
  } catch (err) {
    throw new MomentscanError(`export: cannot write to ${dir}: ${why(err)}`, { hint: 'choose a folder you may write to with --out DIR' });
  }
  if (!g.quiet) {
    const notes = rows.reduce((n, m) => n + (m.accounts?.length ?? 0), 0);
    const left = noise ? ` (${noise} labelled noise left out)` : '';
    const written = withdraw ? files.slice(0, -1) : files;
    log(`export: ${notes} note${notes === 1 ? '' : 's'} on ${rows.length} moment${rows.length === 1 ? '' : 's'} involving known accounts${left} → ${written.map((f) => path.join(dir, f.name)).join(', ')}`);
  }
  if (withdraw) {
    // (said with --quiet too: notes the team judged no news may sit in the CRM)
    const n = withdraw.rows ?? 0;
    log(
      `export: ${n === 1 ? '1 note of a moment' : `${n} notes of moments`} labelled noise may be in the CRM from an export before the label: delete ${n === 1 ? 'it' : 'them'} there (an import cannot) — ${n === 1 ? 'its id is' : 'their ids are'} in ${path.join(dir, withdraw.name)}`,
    );
  }
  return ExitCode.OK;
}

/** --out made if missing; a file in its place (or in its path) is a usage error, as a folder given for a file is elsewhere. */
function makeOutDir(dir: string, typed: string): void {
  try {
    makeDirs(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new UsageError(`export: --out ${typed}: ${code === 'EEXIST' ? 'is a file, not a folder' : 'part of the path is a file, not a folder'}`, { hint: 'give the folder to write the CSV files into (it is made if missing)' });
    }
    throw new MomentscanError(`export: cannot make the folder ${dir}: ${why(err)}`, { hint: 'choose a folder you may write to with --out DIR' });
  }
}

/** A file-system error in words ("permission denied"), else its code. */
function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'a read-only file system', ENOSPC: 'no space left on the device', EDQUOT: 'over the disk quota', ENOENT: 'not a folder files can be written in' };
  return (code && words[code]) ?? code ?? String(err);
}
