import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { parseDocument as ParseDocument } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { defaultConfig, validateConfig, type Config } from './schema.js';

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
    text = readFileSync(file, 'utf8');
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
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, file: string): Config {
  let doc: ReturnType<typeof ParseDocument>;
  let js: unknown;
  try {
    doc = yamlParser()(text, { prettyErrors: true, uniqueKeys: true });
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
  try {
    return validateConfig(js, file);
  } catch (err) {
    if (err instanceof RangeError) throw new ConfigError(`${file}: the config is nested too deeply to read`, { hint: 'a config needs a few levels of nesting, not thousands' });
    throw err;
  }
}

let parseDocument: typeof ParseDocument | undefined;
/**
 * The yaml parser, loaded when a config file is first read: commands that read none (`sentiment`) do
 * not pay its ~50 ms of start-up. (yaml's Node entry point is CommonJS, so require() loads it in place.)
 */
function yamlParser(): typeof ParseDocument {
  parseDocument ??= (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parseDocument;
  return parseDocument;
}
