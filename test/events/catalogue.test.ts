import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withEventCatalogue } from '../../scripts/print-event-docs.js';
import { catalogueMarkdown, EVENT_TYPES, viewFor } from '../../src/modules/outbox/catalogue.js';

describe('the event catalogue', () => {
  it('the README prints the catalogue from the code (npm run docs:events)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withEventCatalogue(readme)).toBe(readme);
    for (const type of EVENT_TYPES) expect(catalogueMarkdown()).toContain(`\`${type}\``);
  });

  it('restricted fields reach only the kinds the catalogue lists; the platform sees everything', () => {
    const event = {
      publicId: 'evt_abcdefghijklmnopqrstuvwx', type: 'allocation.changed', version: 1, subjectId: 'T3JkZXI6MQ==', occurredAt: new Date(0),
      audience: ['buyer:3', 'brand:1'], payload: { data: { cause: 'PRODUCER_DEFAULT' }, restricted: { lines: [{ producer: 'x' }] } },
    };
    expect(viewFor(event, { kind: 'buyer', id: 3 })?.data).toEqual({ cause: 'PRODUCER_DEFAULT' });
    expect(viewFor(event, { kind: 'brand', id: 1 })?.data).toEqual({ cause: 'PRODUCER_DEFAULT', lines: [{ producer: 'x' }] });
    expect(viewFor(event, { kind: 'platform' })?.data).toHaveProperty('lines');
    expect(viewFor(event, { kind: 'buyer', id: 4 })).toBeNull();
    expect(viewFor(event, { kind: 'brand', id: 2 })).toBeNull();
    expect(viewFor({ ...event, audience: ['*'] }, { kind: 'coop', id: 9 })?.data).toEqual({ cause: 'PRODUCER_DEFAULT' });
  });
});
