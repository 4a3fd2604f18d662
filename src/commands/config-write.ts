import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_CONFIG_BYTES, parseConfigText } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { MomentscanError, UsageError } from '../core/errors.js';
import { makeDirs } from '../core/paths.js';
import { cellText } from '../render/text.js';

/**
 * The commands that edit the config file (feeds import, feeds add|remove, topics add|remove) read it,
 * change its text (config/edit.ts, keeping comments and spacing) and write it back through here: at most
 * 1 MB, only if it is still a valid config, whole (never half-written), where it really is, with its mode.
 */

/** The config file's text ('' when there is none yet: the edit creates it). */
export function configText(configPath: string): string {
  return existsSync(configPath) ? readFileSync(configPath, 'utf8') : '';
}

/**
 * Checks the edited text: at most the 1 MB momentscan reads (`tooBig` says what would make it larger) and a
 * valid config (a file that would not load is never written). Returns the config it is.
 */
export function checkEdited(configPath: string, next: string, tooBig: (mb: string) => MomentscanError): Config {
  const bytes = Buffer.byteLength(next);
  if (bytes > MAX_CONFIG_BYTES) throw tooBig((bytes / 2 ** 20).toFixed(1));
  return parseConfigText(next, configPath);
}

/**
 * Replaces the config's text whole (a file beside it, flushed to disk, renamed over it: a full disk or a
 * Ctrl-C leaves the old file or the new one, never half of one) where the file really is, through a symbolic
 * link (a dotfiles checkout: the link was replaced by a copy, and the checkout never got the feeds), keeping
 * its permissions (a config holding a webhook's secret URL at 0600 became 0644). `read` is the text the edit
 * started from: a file changed since (another edit at the same time) is left as it is, and this one refused.
 */
export function replaceConfig(configPath: string, text: string, read: string): void {
  let target = configPath;
  let mode: number | undefined;
  if (existsSync(configPath)) {
    target = realpathSync(configPath);
    mode = statSync(target).mode & 0o7777;
  } else makeDirs(path.dirname(configPath));
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w', mode ?? 0o644);
    try {
      writeFileSync(fd, text); // (all of it: a single write may write part of it, under a file size limit)
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // (the mode given is narrowed by the umask)
    if (mode !== undefined) chmodSync(tmp, mode);
    if (configText(configPath) !== read) {
      throw new MomentscanError(`${configPath}: the config changed while momentscan was editing it (another edit at the same time?); it was left as it is`, { hint: 'run the command again' });
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof MomentscanError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const check =
      code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full (or your quota): make room'
      : code === 'EFBIG' ? 'a file size limit (ulimit -f) stops it: raise it'
      : code === 'EROFS' ? 'the file system is read-only'
      : 'check the permissions of the file and its folder';
    throw new MomentscanError(`${configPath}: cannot write the config (${code})`, { hint: `${check}; it was left as it was` });
  }
}

/**
 * Text typed for a name, title, tag or keyword: one line without control characters or escape sequences
 * (refused rather than cleaned: what is written is what was typed), not empty, at most `max` characters.
 */
export function typedText(text: string, flag: string, max: number): string {
  const s = text.trim();
  if (s === '') throw new UsageError(`${flag}: must not be empty`);
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(s)) {
    throw new UsageError(`${flag}: "${cellText(s).slice(0, 60)}" holds a line break, a control character or an escape sequence`, { hint: 'give one line of plain text' });
  }
  if ([...s].length > max) throw new UsageError(`${flag}: at most ${max} characters, got ${[...s].length.toLocaleString('en-US')}`, { hint: `give a shorter one` });
  return s;
}
