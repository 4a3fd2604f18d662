/** CSV records (RFC 4180), read: shared by the series reader (detect/) and the accounts import (config/). */

/**
 * The delimiter of a CSV file from its header line: `;` (Excel where the decimal mark is a comma: German,
 * French, Spanish...) or a tab (TSV) when the line has no comma but one of those, else `,`.
 */
export function csvDelimiter(headerLine: string): ',' | ';' | '\t' {
  if (headerLine.includes(',')) return ',';
  return headerLine.includes(';') ? ';' : headerLine.includes('\t') ? '\t' : ',';
}

/**
 * Splits one CSV record (RFC 4180, or another one-character delimiter: fields in double quotes may hold
 * the delimiter, doubled quotes and line breaks). Returns null while a quoted field is still open (the record goes on on the next line).
 */
export function splitCsvRecord(text: string, delimiter = ','): string[] | null {
  if (!text.includes('"')) return text.split(delimiter);
  const fields: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atStart = true;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && atStart) {
      quoted = true;
      atStart = false;
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
      atStart = true;
    } else {
      field += ch;
      atStart = false;
    }
    i++;
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}
