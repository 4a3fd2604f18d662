import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MomentscanError, UsageError } from '../core/errors.js';
import { makeDirs, resolveConfigPath } from '../core/paths.js';
import { STARTER_CONFIG } from '../config/starter.js';
import { log, processEnv, type GlobalOptions } from './context.js';
import { shellWord } from '../core/text.js';

export interface InitOptions {
  force?: boolean;
}

/** `momentscan init`: writes the commented starter config (never over an existing file without --force). */
export async function run(g: GlobalOptions, o: InitOptions): Promise<number> {
  const env = processEnv();
  const { path: file } = resolveConfigPath(g.config, env.env);
  if (existsSync(file) && !o.force) {
    throw new UsageError(`${file}: a config file already exists`, { hint: 'edit it, or pass --force to replace it with the starter config' });
  }
  try {
    makeDirs(path.dirname(file));
    writeFileSync(file, STARTER_CONFIG, { mode: 0o644 });
  } catch (err) {
    throw new MomentscanError(`${file}: cannot write the config (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      hint: 'check the folder permissions, or choose another path with --config',
    });
  }
  // the command to run next names the file when it is not where momentscan looks by default
  const next = g.config !== undefined ? `momentscan scan --config ${shellWord(g.config)}` : 'momentscan scan';
  if (!g.quiet) log(`momentscan: wrote ${file}; edit its topics and feeds, then run ${next}`);
  return 0;
}
