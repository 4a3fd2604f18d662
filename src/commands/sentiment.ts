import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError, UsageError } from '../core/errors.js';
import { identifyLanguage, normalizeLanguage } from '../enrich/language.js';
import { analyzeSentiment, SENTIMENT_LANGUAGES, unscored } from '../enrich/sentiment.js';
import { writer } from '../render/index.js';
import { sentimentRecord, sentimentSheet } from '../render/sentiment.js';
import { chooseFormat, noteBigTable, processEnv, renderContext, type GlobalOptions, type OutputOptions } from './context.js';

export interface SentimentCommandOptions extends OutputOptions {
  source?: string;
  language?: string;
  explain?: boolean;
}

/**
 * `momentscan sentiment [FILE|-]`: scores one text per line, or NDJSON objects with a `text` field (other
 * fields passed through), streaming: millions of lines go through in constant memory. NDJSON out by
 * default; every format but the table streams (it is for people, and small inputs).
 */
export async function run(g: GlobalOptions, o: SentimentCommandOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o, 'ndjson');
  let forced: string | null = null;
  if (o.language !== undefined) {
    forced = normalizeLanguage(o.language);
    if (!forced || !SENTIMENT_LANGUAGES.includes(forced)) {
      throw new UsageError(`--language: momentscan scores ${SENTIMENT_LANGUAGES.join(', ')}, not "${o.language}"`, {
        hint: 'give one of those codes, or leave --language out to detect each text\'s language',
      });
    }
  }
  const explain = Boolean(o.explain);
  const out = writer(format, sentimentSheet(explain), renderContext({ ...g, color: false }, o, env, env.now()));
  const stdin = !o.source || o.source === '-';
  const input: Readable = stdin ? process.stdin.setEncoding('utf8') : createReadStream(o.source!, { encoding: 'utf8' });
  const name = stdin ? 'stdin' : o.source!;
  const write = async (s: string) => {
    if (s && !process.stdout.write(s)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  };
  // output goes out in blocks: a write per row costs more than scoring it
  let pending = out.head();
  let n = 0;
  let rows = 0;
  try {
    for await (const batch of lineBatches(input)) {
      for (const raw of batch) {
        n++;
        const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
        if (line.trim() === '') continue;
        const { fields, text } = readLine(line, name, n);
        // text too short to tell is read as English (emoji, a word or two); text in another script is not scored
        const identified = forced ? null : identifyLanguage(text);
        const r = identified?.otherScript ? unscored(null, explain) : analyzeSentiment(text, { language: forced ?? identified?.language ?? 'en', explain });
        pending += out.row(sentimentRecord(fields, text, r, explain));
        rows++;
      }
      if (pending.length >= OUT_BLOCK) {
        await write(pending);
        pending = '';
      }
    }
  } catch (err) {
    // the rows before a bad line are out, as they would be line by line
    await write(pending);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${name}: file not found`, { hint: 'check the path, or pipe the texts in with -' });
    throw err;
  }
  noteBigTable(format, rows, g.quiet);
  await write(pending + out.end());
  return 0;
}

/** A line: plain text, or a JSON object with a "text" field (its other fields are passed through). */
function readLine(line: string, name: string, n: number): { fields: Record<string, unknown>; text: string } {
  if (!line.trimStart().startsWith('{')) return { fields: {}, text: line };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new InputError(`${name}: line ${n}: not valid JSON (${(err as Error).message})`, { hint: 'give one text per line, or one JSON object with a "text" field per line' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof (parsed as { text?: unknown }).text !== 'string') {
    throw new InputError(`${name}: line ${n}: a JSON line needs a "text" field with a string`, { hint: 'give one JSON object with a "text" field per line' });
  }
  const { text, ...fields } = parsed as Record<string, unknown> & { text: string };
  return { fields, text };
}

/** Characters of output gathered before a write. */
const OUT_BLOCK = 1 << 16;

/** The input's lines (without their \n or \r\n), a chunk's worth at a time; a last line without a line break too. */
async function* lineBatches(input: Readable): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of input) {
    if ((chunk as string).indexOf('\n') < 0) {
      rest += chunk as string;
      continue;
    }
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
    if (lines.length > 0) yield lines;
  }
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}
