import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError, UsageError } from '../core/errors.js';
import { stripControl } from '../core/text.js';
import { identifyLanguage, normalizeLanguage } from '../enrich/language.js';
import { analyzeSentiment, SENTIMENT_LANGUAGES, unscored, type SentimentResult } from '../enrich/sentiment.js';
import { streamFormatter, type StreamFormat } from '../render/stream.js';
import { drawTable } from '../render/table.js';
import { noteBigTable, plainTableContext, processEnv, type GlobalOptions } from './context.js';

export interface SentimentCommandOptions {
  source?: string;
  format?: string;
  json?: boolean;
  ndjson?: boolean;
  csv?: boolean;
  fields?: string;
  headers?: boolean;
  language?: string;
  explain?: boolean;
}

/** One input line's output record: the input's own fields first, then ours. */
function record(fields: Record<string, unknown>, text: string, r: SentimentResult, explain: boolean): Record<string, unknown> {
  return {
    ...fields,
    text,
    score: r.score,
    label: r.label,
    language: r.language,
    positive: r.positive,
    neutral: r.neutral,
    negative: r.negative,
    mixed: r.mixed,
    ...(explain ? { explain: r.explain ?? [] } : {}),
  };
}

/**
 * `momentscan sentiment [FILE|-]`: scores one text per line, or NDJSON objects with a `text` field (other
 * fields passed through), streaming: millions of lines go through in constant memory. NDJSON out by
 * default; CSV streams too; the table collects (it is for people, and small inputs).
 */
export async function run(_g: GlobalOptions, o: SentimentCommandOptions): Promise<number> {
  const formats = [o.format, o.json && 'json', o.ndjson && 'ndjson', o.csv && 'csv'].filter(Boolean) as string[];
  if (new Set(formats).size > 1) throw new UsageError(`choose one output format, not ${formats.join(' and ')}`);
  const format = formats[0] ?? 'ndjson';
  if (!['ndjson', 'json', 'csv', 'tsv', 'markdown', 'table'].includes(format)) {
    throw new UsageError(`--format: the sentiment command writes ndjson, json, csv, tsv, markdown or table, not "${format}"`);
  }
  const all = ['score', 'label', 'language', 'positive', 'neutral', 'negative', 'mixed', 'text', ...(o.explain ? ['explain'] : [])];
  const picked = o.fields ? o.fields.split(',').map((f) => f.trim()).filter(Boolean) : null;
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
  const input: Readable = !o.source || o.source === '-' ? process.stdin.setEncoding('utf8') : openFile(o.source);
  const name = !o.source || o.source === '-' ? 'stdin' : o.source;
  const out = process.stdout;
  const write = async (s: string) => {
    if (!out.write(s)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  // output goes out in blocks: a write per row costs more than scoring it
  let pending = '';
  const table: string[][] = [];
  let n = 0;
  // input fields passed through may be asked for by name too; the flat formats show ours unless --fields says
  const stream = format === 'table' ? null : streamFormatter(format as StreamFormat, picked ?? all, { picked: picked !== null, headers: o.headers !== false });
  if (stream) await write(stream.header());
  try {
    for await (const batch of lineBatches(input)) {
      for (const raw of batch) {
        n++;
        const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
        if (line.trim() === '') continue;
        let fields: Record<string, unknown> = {};
        let text = line;
        if (line.trimStart().startsWith('{')) {
          if (jsonDepth(line) > MAX_JSON_DEPTH) {
            throw new InputError(`${name}: line ${n}: JSON nested more than ${MAX_JSON_DEPTH} levels deep`, { hint: 'give one JSON object with a "text" field per line, with at most 100 levels of nesting' });
          }
          try {
            fields = JSON.parse(line) as Record<string, unknown>;
          } catch (err) {
            throw new InputError(`${name}: line ${n}: not valid JSON (${(err as Error).message})`, { hint: 'give one text per line, or one JSON object with a "text" field per line' });
          }
          const odd = oddJson(fields);
          if (odd !== null) throw new InputError(`${name}: line ${n}: ${odd}`, { hint: 'give one JSON object with a "text" field per line, with finite numbers and at most 100 levels of nesting' });
          if (typeof fields !== 'object' || fields === null || Array.isArray(fields) || typeof fields.text !== 'string') {
            throw new InputError(`${name}: line ${n}: a JSON line needs a "text" field with a string`, { hint: 'give one JSON object with a "text" field per line' });
          }
          text = fields.text as string;
          const { text: _t, ...rest } = fields;
          fields = rest;
        }
        // text too short to tell is read as English (emoji, a word or two); text in another script is not scored
        const identified = forced ? null : identifyLanguage(text);
        const r = identified?.otherScript ? unscored(null, explain) : analyzeSentiment(text, { language: forced ?? identified?.language ?? 'en', explain });
        const rec = record(fields, text, r, explain);
        if (stream) pending += stream.row(rec);
        else {
          table.push([r.score === null ? '' : r.score.toFixed(3), r.label ?? '', r.language ?? '', stripControl(text).slice(0, 100)]);
        }
      }
      if (pending.length >= OUT_BLOCK) {
        await write(pending);
        pending = '';
      }
    }
  } catch (err) {
    // the rows before a bad line are out, as they would be line by line
    if (pending !== '') await write(pending);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${name}: file not found`, { hint: 'check the path, or pipe the texts in with -' });
    throw err;
  }
  if (stream) await write(pending + stream.footer());
  if (format === 'table') {
    noteBigTable(format, table.length, _g.quiet);
    await write(drawTable({ head: ['Score', 'Label', 'Lang', 'Text'], widths: [8, 10, 6, 'fill'], right: [0] }, table, plainTableContext(_g, processEnv())));
  }
  return 0;
}

/** Deepest nesting of arrays and objects accepted in a JSON line (deeper ones overflow the stack when written out). */
const MAX_JSON_DEPTH = 100;

/** The deepest nesting of brackets in a JSON text, outside strings (stops counting past MAX_JSON_DEPTH). */
function jsonDepth(line: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max && (max = depth) > MAX_JSON_DEPTH) return max;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** What is wrong with a parsed JSON line's values, or null: a number too large for a double (1e309 reads as Infinity). */
function oddJson(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : `a number is out of range (beyond ±1.8e308, such as 1e309)`;
  if (typeof value !== 'object' || value === null) return null;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    const odd = oddJson(v);
    if (odd !== null) return odd;
  }
  return null;
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

function openFile(file: string): Readable {
  const stream = createReadStream(file, { encoding: 'utf8' });
  return stream;
}
