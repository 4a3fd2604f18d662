import { iso } from '../core/time.js';
import { stripControl } from '../core/text.js';
import type { AccountRow } from '../store/model.js';
import { drawTable } from './table.js';
import type { Column, Listing } from './types.js';

/** An account as listed: the stored row, and its names flagged for review (never matched alone). */
export interface AccountListRow extends AccountRow {
  review: string[];
}

export function accountJson(a: AccountListRow): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    domain: a.domain,
    aliases: a.aliases,
    handles: a.handles,
    externalId: a.externalId,
    origin: a.origin,
    contacts: a.contacts.length,
    items: a.items,
    lastItemAt: a.lastItemAt === null ? null : iso(a.lastItemAt),
    review: a.review,
  };
}

const COLUMNS: Column<AccountListRow>[] = [
  { key: 'id', value: (a) => a.id },
  { key: 'name', value: (a) => a.name },
  { key: 'domain', value: (a) => a.domain },
  { key: 'aliases', value: (a) => a.aliases.join('; ') },
  { key: 'handles', value: (a) => a.handles.join('; ') },
  { key: 'externalId', value: (a) => a.externalId },
  { key: 'origin', value: (a) => a.origin },
  { key: 'contacts', value: (a) => a.contacts.length },
  { key: 'items', value: (a) => a.items },
  { key: 'lastItemAt', value: (a) => (a.lastItemAt === null ? null : iso(a.lastItemAt)) },
  { key: 'review', value: (a) => a.review.join('; ') },
];

export function accountsListing(rows: AccountListRow[]): Listing<AccountListRow> {
  return {
    rows,
    json: accountJson,
    columns: COLUMNS,
    table: (list, ctx) => {
      if (list.length === 0) return 'No accounts. Import them with momentscan accounts import FILE.csv\n';
      const cells = list.map((a) => [
        String(a.id),
        stripControl(a.name),
        stripControl(a.domain ?? ''),
        String(a.contacts.length),
        String(a.items),
        a.review.length ? ctx.chalk.yellow(stripControl(a.review.join('; '))) : '',
      ]);
      return drawTable({ head: ['Id', 'Name', 'Domain', 'Contacts', 'Items', 'Review'], widths: [6, 'fill', 'fill', 10, 7, 'fill'], right: [0, 3, 4], minFill: 10 }, cells, ctx);
    },
  };
}
