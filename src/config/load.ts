import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { defaultConfig, validateConfig, type Config } from './schema.js';

/**
 * Reads and validates the config file. A missing file is an error when it was named explicitly
 * (flag or environment) and an empty config otherwise, so commands that need topics can say so.
 */
export function loadConfig(file: string, explicit: boolean): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
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
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}: ` : '';
    const reason = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '');
    throw new ConfigError(`${file}: ${where}invalid YAML: ${reason}`, { hint: 'fix the YAML syntax' });
  }
  return validateConfig(doc.toJS(), file);
}
