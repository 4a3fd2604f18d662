import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ConfigError } from '../core/errors.js';
import { utf8FileText } from '../core/utf8-file.js';
import { cachedConfig, keepConfig } from './cache.js';
import { defaultConfig, validateConfig, type Config } from './schema.js';
import { parseYamlFast } from './yaml-fast.js';

/** The largest config file read: parsing takes about 1.5 s a MB (15,000 topics), and memory with it. */
export const MAX_CONFIG_BYTES = 1 << 20;

/**
 * Reads and validates the config file. A missing file is an error when it was named explicitly
 * (flag or environment) and an empty config otherwise, so commands that need topics can say so.
 */
export function loadConfig(file: string, explicit: boolean): Config {
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    // a FIFO would block, a device never end
    if (!st.isFile()) throw new ConfigError(`${file}: not a regular file`, { hint: 'give the path of a YAML file' });
    if (st.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(`${file}: the config file is ${(st.size / 2 ** 20).toFixed(1)} MB, more than the ${MAX_CONFIG_BYTES / 2 ** 20} MB momentscan reads`, {
        hint: 'a config of a few hundred topics takes well under 100 KB: is this the right file?',
      });
    }
    text = utf8FileText(readFileSync(file), file, 'the config file', (message, hint) => new ConfigError(message, { hint }));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return { ...defaultConfig(), file: null };
    if (code === 'ENOENT') {
      throw new ConfigError(`${file}: config file not found`, { hint: 'check the path, or create one with momentscan init' });
    }
    if (code === 'EISDIR') throw new ConfigError(`${file}: is a folder, not a config file`, { hint: 'give the path of a YAML file' });
    throw new ConfigError(`${file}: cannot read the config file (${code ?? String(err)})`, { hint: 'check its permissions' });
  }
  const cached = cachedConfig(file, text);
  if (cached !== undefined) return validate(cached, file);
  return parseConfigText(text, file, (parsed) => keepConfig(file, text, parsed));
}

/** yaml, loaded only when the fast reader declines (loading it costs 30–50 ms of a command's start). */
let yamlModule: typeof import('yaml') | null = null;
const yaml = () => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

/** Parses and validates a config's text; `parsed` is told what the YAML parsed to, if it parsed (for the cache). */
export function parseConfigText(text: string, file: string, parsed?: (js: unknown) => void): Config {
  // the plain YAML most configs are: read fast; anything else (and every error) through yaml
  const fast = parseYamlFast(text);
  if (fast !== undefined) {
    parsed?.(fast);
    return validate(fast, file);
  }
  let doc: ReturnType<typeof import('yaml').parseDocument>;
  let js: unknown;
  try {
    doc = yaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length === 0) js = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof RangeError) throw new ConfigError(`${file}: the YAML is nested too deeply to read`, { hint: 'a config needs a few levels of nesting, not thousands' });
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new ConfigError(`${file}: YAML aliases expand too far (more than 100 uses of an anchor)`, { hint: 'write the values out instead of repeating aliases' });
    }
    throw err;
  }
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}: ` : '';
    const reason = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '');
    if (/call stack/i.test(reason)) throw new ConfigError(`${file}: ${where}the YAML is nested too deeply to read`, { hint: 'a config needs a few levels of nesting, not thousands' });
    throw new ConfigError(`${file}: ${where}invalid YAML: ${reason}`, { hint: 'fix the YAML syntax' });
  }
  parsed?.(js); // (before validation, which reads it only; an invalid config is as invalid when read back)
  return validate(js, file);
}

function validate(js: unknown, file: string): Config {
  try {
    return validateConfig(js, file);
  } catch (err) {
    if (err instanceof RangeError) throw new ConfigError(`${file}: the config is nested too deeply to read`, { hint: 'a config needs a few levels of nesting, not thousands' });
    throw err;
  }
}
