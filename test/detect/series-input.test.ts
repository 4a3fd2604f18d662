import { describe, expect, it } from 'vitest';
import { parseTimestamp, SeriesReader, sniffSeriesFormat, splitCsvRecord } from '../../src/detect/series-input.js';
import { InputError } from '../../src/core/errors.js';
import type { SeriesPoint } from '../../src/detect/series.js';

/** Feeds a whole input through a reader, line by line, as the command does. */
function read(text: string, opts: { source?: string; allowNegative?: boolean } = {}): SeriesPoint[] {
  const reader = new SeriesReader(opts);
  const out: SeriesPoint[] = [];
  text.split('\n').forEach((line, i) => {
    const p = reader.line(line, i + 1);
    if (p) out.push(p);
  });
  reader.end();
  return out;
}

function error(text: string, opts: { source?: string } = {}): InputError {
  try {
    read(text, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

const T = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('parseTimestamp', () => {
  it.each([
    ['2026-11-20T12:00:00Z', T],
    ['2026-11-20T12:00:00.250Z', T + 250],
    ['2026-11-20t12:00:00.999z', T + 999],
    ['2026-11-20T13:30:00+01:30', T],
    ['2026-11-20T07:00:00-0500', T],
    ['2026-11-20T12:00:00', T],
    ['2026-11-20T12:00Z', T],
    ['2026-11-20 12:00:00', T],
    ['2026-11-20 12:00:00.000000', T],
    ['2026-11-20', Date.UTC(2026, 10, 20)],
    ['2024-02-29 00:00:00', Date.UTC(2024, 1, 29)],
    [String(T / 1000), T],
    [String(T), T],
    ['1700000000.5', 1_700_000_000_500],
    [String(T * 1000), T],
    [String(T * 1000 + 250_000), T + 250],
    [`${T}000000`, T],
    ['  2026-11-20T12:00:00Z ', T],
  ])('reads %j', (text, want) => {
    expect(parseTimestamp(text)).toBe(want);
  });

  it.each(['', 'yesterday', '2026-13-01', '2026-02-30', '2025-02-29 00:00:00', '2026-11-20 24:00:00', '2026-11-20T12:61:00Z', '20/11/2026', '2026-11-20T12:00:00+25:00', '1e20', '2026-02-30T00:00:00.000Z', '2026-11-20T24:00:00.000Z', '2026-11-20T12:00:00.2x0Z'])(
    'rejects %j',
    (text) => {
      expect(parseTimestamp(text)).toBeNull();
    },
  );
});

describe('splitCsvRecord', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['"a,1",b', ['a,1', 'b']],
    ['"say ""hi""",2', ['say "hi"', '2']],
    ['a,,c', ['a', '', 'c']],
    ['"",x', ['', 'x']],
    ['"two\nlines",3', ['two\nlines', '3']],
  ])('%j', (text, want) => {
    expect(splitCsvRecord(text)).toEqual(want);
  });

  it('reports an open quoted field', () => {
    expect(splitCsvRecord('"not closed,1')).toBeNull();
  });
});

describe('sniffSeriesFormat', () => {
  it.each([
    ['timestamp,value', 'csv'],
    ['\uFEFFtimestamp,value', 'csv'],
    ['{"timestamp":"2026-11-20T12:00:00Z","value":1}', 'ndjson'],
    ['  {"value":1}', 'ndjson'],
    ['"timestamp","value"', 'csv'],
  ] as const)('%j is %s', (line, want) => {
    expect(sniffSeriesFormat(line)).toBe(want);
  });
});

describe('SeriesReader', () => {
  it('reads CSV with the columns in any order, CRLF line ends, a BOM, quotes and blank lines', () => {
    const text = '\uFEFFn,value,"timestamp",sentiment,source\r\n3,10,2026-11-20T12:00:00Z,0.5,"a, b"\r\n\r\n,0,"2026-11-20 13:00:00",,x\r\n';
    expect(read(text)).toEqual([
      { t: T, value: 10, sentiment: 0.5, n: 3 },
      { t: T + 3_600_000, value: 0, sentiment: null, n: null },
    ]);
  });

  it('reads two-column CSV either way round, with spaces around the value, and JavaScript timestamps', () => {
    expect(read('value,timestamp\n 3 ,2026-11-20T12:00:00.000Z\n4,2026-11-20T12:05:00.000Z')).toEqual([
      { t: T, value: 3 },
      { t: T + 300_000, value: 4 },
    ]);
    expect(read('timestamp,value\n"2026-11-20T12:00:00Z",1\n2026-11-20T12:05:00Z,"2"')).toEqual([
      { t: T, value: 1 },
      { t: T + 300_000, value: 2 },
    ]);
  });

  it('reads a record whose quoted field spans lines, and counts lines from where it started', () => {
    const text = 'timestamp,value,note\n2026-11-20T12:00:00Z,1,"two\nlines"\n2026-11-20T12:00:00Z,2,x';
    expect(error(text).message).toBe('line 4: duplicate time 2026-11-20T12:00:00.000Z (also on line 2)');
  });

  it('reads NDJSON, with numbers or strings, and optional sentiment and n', () => {
    const text = [
      `{"timestamp":"2026-11-20T12:00:00Z","value":4,"sentiment":-0.2,"n":4}`,
      '',
      `{"timestamp":${T / 1000 + 60},"value":"5","sentiment":null,"extra":true}`,
    ].join('\n');
    expect(read(text)).toEqual([
      { t: T, value: 4, sentiment: -0.2, n: 4 },
      { t: T + 60_000, value: 5, sentiment: null },
    ]);
  });

  it.each([
    ['an unparsable timestamp', 'timestamp,value\n2026-11-20T12:00:00Z,1\nnot a time,2', 'line 3: cannot read the timestamp "not a time"'],
    ['an impossible date', 'timestamp,value\n2026-02-30 00:00:00,1', 'line 2: cannot read the timestamp "2026-02-30 00:00:00"'],
    ['a negative value', 'timestamp,value\n2026-11-20T12:00:00Z,1\n2026-11-20T13:00:00Z,-3', 'line 3: the value -3 is negative'],
    ['a non-numeric value', 'timestamp,value\n2026-11-20T12:00:00Z,lots', 'line 2: the value "lots" is not a number'],
    ['a missing value', 'timestamp,value\n2026-11-20T12:00:00Z,', 'line 2: the value is missing'],
    ['an infinite value', 'timestamp,value\n2026-11-20T12:00:00Z,Infinity', 'line 2: the value "Infinity" is not a number'],
    ['a duplicate time', 'timestamp,value\n2026-11-20T12:00:00Z,1\n2026-11-20 12:00:00,2', 'line 3: duplicate time 2026-11-20T12:00:00.000Z (also on line 2)'],
    [
      'a time out of order',
      'timestamp,value\n2026-11-20T12:00:00Z,1\n\n2026-11-20T11:00:00Z,2',
      'line 4: out of order: 2026-11-20T11:00:00.000Z comes before 2026-11-20T12:00:00.000Z on line 2',
    ],
    ['too few fields', 'timestamp,value\n2026-11-20T12:00:00Z', 'line 2: expected 2 fields as in the header, got 1'],
    ['too many fields (an unquoted comma)', 'timestamp,value\n2026-11-20T12:00:00Z,1,000', 'line 2: expected 2 fields as in the header, got 3'],
    ['a bad sentiment', 'timestamp,value,sentiment\n2026-11-20T12:00:00Z,1,good', 'line 2: the sentiment "good" is not a number'],
    ['a bad n', 'timestamp,value,n\n2026-11-20T12:00:00Z,1,2.5', 'line 2: n "2.5" is not a whole number of 0 or more'],
    ['no header', '2026-11-20T12:00:00Z,1\n2026-11-20T13:00:00Z,2', 'line 1: expected a header line naming the columns (timestamp,value), got data: "2026-11-20T12:00:00Z,1"'],
    ['a header without a value column', '\n\ntime,count\n2026-11-20T12:00:00Z,1', 'line 3: the header has no timestamp and value column (it has: time,count)'],
    ['a header naming a column twice', 'timestamp,value,Value', 'line 1: the header names the column "value" twice'],
    ['an unclosed quote at the end', 'timestamp,value\n2026-11-20T12:00:00Z,"1\n2026-11-20T13:00:00Z,2', 'line 2: a quoted field is not closed before the end of the input'],
    ['invalid JSON', '{"timestamp":"2026-11-20T12:00:00Z","value":1}\n{"timestamp":', 'line 2: not valid JSON'],
    ['a JSON line that is not an object', '{"timestamp":"2026-11-20T12:00:00Z","value":1}\n[1,2]', 'line 2: expected a JSON object with "timestamp" and "value"'],
    ['a JSON line without a timestamp', '{"value":1}', 'line 1: no "timestamp"'],
    ['a JSON line without a value', '{"timestamp":"2026-11-20T12:00:00Z"}', 'line 1: no "value"'],
    ['a JSON timestamp that is not a time', '{"timestamp":true,"value":1}', 'line 1: cannot read the timestamp true'],
    ['a negative JSON value', '{"timestamp":"2026-11-20T12:00:00Z","value":-1}', 'line 1: the value -1 is negative'],
    ['an out-of-order JSON line', `{"timestamp":"2026-11-20T12:00:00Z","value":1}\n{"timestamp":${T - 1},"value":1}`, 'line 2: out of order'],
  ])('rejects %s with its line number', (_name, text, message) => {
    const err = error(text);
    expect(err.message.startsWith(message)).toBe(true);
    expect(err.exitCode).toBe(2);
    expect(err.hint).toBeTruthy();
  });

  it.each([
    ['CSV', 'timestamp,value\n2026-01-01T00:00:00Z,1\n'],
    ['CSV with a byte-order mark', '\uFEFFtimestamp,value\n2026-01-01T00:00:00Z,1\n'],
    ['NDJSON', '{"timestamp":"2026-01-01T00:00:00Z","value":1}\n'],
  ])('a series in UTF-16 (%s) is called that, not a header without columns or bad JSON', (_what, text) => {
    // bytes of UTF-16 as the command reads them: decoded as UTF-8 (a BOM becomes two U+FFFD)
    const asRead = Buffer.from(text, 'utf16le').toString('utf8');
    const err = error(asRead, { source: 'u16.csv' });
    expect(err.message).toBe('u16.csv: the series is UTF-16 text (or not text at all), momentscan reads UTF-8');
    expect(err.hint).toBe('save it as UTF-8 (Excel: Save as, CSV UTF-8)');
  });

  it('names the source in the error', () => {
    expect(error('timestamp,value\nx,1', { source: 'series.csv' }).message).toBe('series.csv: line 2: cannot read the timestamp "x"');
  });

  it('the error for a negative value names --allow-negative', () => {
    expect(error('timestamp,value\n2026-11-20T12:00:00Z,-3').hint).toContain('--allow-negative');
  });

  it('accepts negative values when asked (series that are not counts)', () => {
    expect(read('timestamp,value\n2026-11-20T12:00:00Z,-21.5', { allowNegative: true })).toEqual([{ t: T, value: -21.5 }]);
  });

  it.each([
    ['semicolons (Excel where a comma is the decimal mark)', '\uFEFFtimestamp;value;sentiment\r\n2026-11-20 12:00;10,5;-0,25\r\n"2026-11-20 13:00";"3";\r\n'],
    ['tabs (TSV)', 'timestamp\tvalue\tsentiment\n2026-11-20 12:00\t10.5\t-0.25\n2026-11-20 13:00\t3\t\n'],
  ])('reads a CSV whose fields are separated by %s', (_what, text) => {
    expect(read(text)).toEqual([
      { t: T, value: 10.5, sentiment: -0.25 },
      { t: T + 3_600_000, value: 3, sentiment: null },
    ]);
  });

  it.each([
    ['two columns', 'timestamp,value\n2026-11-20T12:00:00Z,3\n,\n , \n2026-11-20T13:00:00Z,4\n,'],
    ["Excel's trailing empty columns", 'timestamp;value;;\r\n2026-11-20 12:00;3;;\r\n;;;\r\n2026-11-20 13:00;4;;\r\n;;;\r\n'],
  ])('a row of empty cells (%s) is a blank line', (_what, text) => {
    expect(read(text)).toEqual([
      { t: T, value: 3 },
      { t: T + 3_600_000, value: 4 },
    ]);
  });

  it.each(['10,5', '1,234', '1,234.5'])('a comma in a value of a comma-separated file (%s) is not guessed at: the hint says how to write it', (v) => {
    const err = error(`timestamp,value\n2026-11-20T12:00:00Z,"${v}"`);
    expect(err.message).toBe(`line 2: the value "${v}" is not a number`);
    expect(err.hint).toBe('write numbers with a decimal point and no thousands separators (1234.5), or separate the fields with ; (where 10,5 is read as 10.5)');
  });

  it.each(['', 'NaN', 'nan', 'NA', '#N/A', 'null'])('a missing value %j (pandas, Google Sheets, Excel) is called missing and says how to fill it', (cell) => {
    const err = error(`timestamp,value\n2026-11-20T12:00:00Z,${cell}`);
    expect(err.message).toBe(`line 2: the value is missing${cell ? ` ("${cell}")` : ''}`);
    expect(err.hint).toBe('give a number for every row: fill the gap in (0 for a count; pandas: fillna(0)) or leave the row out');
  });

  it.each([
    ['ds,y', 'series.csv', "sed '1s/.*/timestamp,value/' series.csv | momentscan detect"],
    ['date;count', 'my series.csv', "sed '1s/.*/timestamp;value/' 'my series.csv' | momentscan detect"],
  ])('a header of two columns named otherwise (%s) says how to name them', (header, source, sed) => {
    const err = error(`${header}\n2026-11-20,3`, { source });
    expect(err.message).toBe(`${source}: line 1: the header has no timestamp and value column (it has: ${header.replace(';', ',')})`);
    expect(err.hint).toBe(`name the columns timestamp and value in the header line (for this file: ${sed})`);
  });

  it.each([
    ['{"time":"2026-03-01T00:00:00Z","count":3}', 'no "timestamp" (it has "time", "count")', "jq -c '{timestamp: .time, value: .count}' s.ndjson"],
    ['{"ts":1772323200,"y":4,"id":"x"}', 'no "timestamp" (it has "ts", "y", "id")', "jq -c '{timestamp: .ts, value: .y}' s.ndjson"],
    ['{"timestamp":"2026-03-01T00:00:00Z","hits":3}', 'no "value" (it has "timestamp", "hits")', "jq -c '{timestamp: .timestamp, value: .hits}' s.ndjson"],
  ])('an NDJSON line with its time and value under other names (%s) says what it has and how to rename them', (line, message, jq) => {
    const err = error(line, { source: 's.ndjson' });
    expect(err.message).toBe(`s.ndjson: line 1: ${message}`);
    expect(err.hint).toBe(`name them timestamp and value (for this file: ${jq} | momentscan detect)`);
  });

  it('an NDJSON line with a null timestamp says it is missing', () => {
    expect(error('{"timestamp":null,"value":1}').message).toBe('line 1: the timestamp is missing (null)');
  });

  it("a null value on an NDJSON line (pandas' to_json writes NaN so) is called missing", () => {
    const err = error('{"timestamp":1772323200000,"value":null}');
    expect(err.message).toBe('line 1: the value is missing (null)');
    expect(err.hint).toBe('give a number for every row: fill the gap in (0 for a count; pandas: fillna(0)) or leave the row out');
  });

  it("a missing sentiment or n (pandas' NaN) is an empty cell", () => {
    expect(read('timestamp,value,sentiment,n\n2026-11-20T12:00:00Z,3,NaN,NaN')).toEqual([{ t: T, value: 3, sentiment: null, n: null }]);
  });

  it.each(['2026-11-20 12:00:00 UTC', '2026-11-20 12:00:00 utc', '2026-11-20T12:00:00 GMT'])('reads a time with the zone named after it, as BigQuery writes it: %j', (text) => {
    expect(parseTimestamp(text)).toBe(T);
  });

  it.each(['11/20/2026 12:00', '20.11.2026 12:00', '20/11/2026'])('a date written month or day first (%j) is refused with a hint to write the year first', (ts) => {
    const err = error(`timestamp,value\n${ts},3`);
    expect(err.message).toBe(`line 2: cannot read the timestamp "${ts}"`);
    expect(err.hint).toBe('write dates year first, as 2026-03-01 14:00 (in Excel, format the column as yyyy-mm-dd hh:mm before saving)');
  });

  it('a duplicate local time (clocks going back) says times without a zone are UTC; one with its zone does not', () => {
    const local = error('timestamp,value\n2026-10-25 02:00,3\n2026-10-25 02:00,4');
    expect(local.message).toBe('line 3: duplicate time 2026-10-25T02:00:00.000Z (also on line 2)');
    expect(local.hint).toContain('local times repeat an hour where clocks go back: write them in UTC or with their offset (+01:00)');
    expect(error('timestamp,value\n2026-10-25T02:00Z,3\n2026-10-25T02:00Z,4').hint).toBe('give one row per time, in time order');
  });

  it('returns nothing for an empty input', () => {
    expect(read('')).toEqual([]);
    expect(read('timestamp,value\n')).toEqual([]);
  });
});
