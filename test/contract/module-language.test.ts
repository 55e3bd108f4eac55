import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsufficientSupplyError } from '../../src/modules/allocation/errors.js';
import { CommitmentAllocatedError } from '../../src/modules/commitments/commitments.service.js';
import { PremiumsExceedNetError, SettlementWouldReduceError } from '../../src/modules/settlement/errors.js';
import { LoadedWeightMismatchError } from '../../src/modules/shipments/errors.js';
import { EudrLimitError } from '../../src/modules/shipments/eudr-package.js';
import { localizedMessage } from '../../src/platform/messages.js';
import { createOrderWorld, insertOrder, type OrderWorld } from '../orders/fixtures.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';

/**
 * Issue 8 §4: a module's refusal that carries figures says them in Indonesian too, written the
 * Indonesian way (19.200 kg, Rp 1.250.000,00), not only the code's general text.
 */

const PREVIEW = /* GraphQL */ `
  query Preview($input: PreviewAllocationInput!) {
    previewAllocation(input: $input) { __typename ${ERROR_FIELDS} ... on InsufficientSupplyError { requested available } }
  }`;

let t: TestApp;
let w: OrderWorld;
beforeAll(async () => {
  t = await createTestApp();
  w = await createOrderWorld(t);
});
afterAll(() => t?.close());

const preview = async (orderId: number, lang: string) =>
  (await t.gql(PREVIEW, { input: { orderId: gid('Order', orderId) } }, w.as.brandManager.token, lang)).data.previewAllocation;

describe('module refusals with figures, in both languages', () => {
  it('short supply through GraphQL: same code and figures, the Indonesian names the kilograms the Indonesian way', async () => {
    const order = await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id, quantityG: 19_200_000 });
    const [en, id] = [await preview(order.id, 'en'), await preview(order.id, 'id')];
    expect(en.__typename).toBe('InsufficientSupplyError');
    expect([id.__typename, id.code, id.requested, id.available]).toEqual([en.__typename, en.code, en.requested, en.available]);
    expect(en.message).toMatch(/of the 19,200 kg can be allocated/);
    expect(id.message).toMatch(/^Hanya .* dari 19\.200 kg yang dapat dialokasikan \(kurang .* kg\); batasan yang menentukan: /);
  });

  it('every module error with figures has its own Indonesian, different from the English and from the code\'s general text', () => {
    const errors = [
      new InsufficientSupplyError(19_200_000, 1_234_500, 17_965_500, 'SUPPLY'),
      new CommitmentAllocatedError(1_500_000),
      new PremiumsExceedNetError('1250000.00', '25000.00', '100000.00', '1125000.00', '2000000.00'),
      new SettlementWouldReduceError('500000.00', '750000.00'),
      new LoadedWeightMismatchError([{ lotId: 7, loadedG: 19_000_000, shippedG: 19_200_000 }], 'mismatch'),
      new EudrLimitError('GEOLOCATION_SIZE', 26_214_400, 30_000_000, 'too big'),
    ];
    const expected = ['17.965,5 kg', '1.500 kg', 'Rp 2.000.000,00', 'Rp 750.000,00', '19.200 kg', '26.214.400'];
    errors.forEach((error, i) => {
      const id = localizedMessage(error, 'id');
      expect(id).not.toBe(error.message);
      expect(id).toContain(expected[i]);
      expect(localizedMessage(error, 'en')).toBe(error.message);
    });
  });
});
