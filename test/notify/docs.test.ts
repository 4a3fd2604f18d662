import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliveryJson, silenceJson, type DeliveryRow, type SilenceRow } from '../../src/render/notify.js';

const README = readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('notify JSON in the README', () => {
  it.each(Object.keys(deliveryJson({ createdAt: 0, eventAt: 0 } as DeliveryRow)))('delivery field %s is documented', (field) => {
    expect(README).toContain(`\`${field}\``);
  });
  it.each(Object.keys(silenceJson({ startsAt: 0, endsAt: 0, createdAt: 0 } as SilenceRow)))('silence field %s is documented', (field) => {
    expect(README).toContain(`\`${field}\``);
  });
});
