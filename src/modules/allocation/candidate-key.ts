/**
 * The engine's candidate ids (pure): a lot is `L<id>`, a commitment `C<id>`. The one place that
 * spells them; the engine treats them as opaque strings.
 */

export type SupplySource = { lotId: number; commitmentId: null } | { lotId: null; commitmentId: number };

export const lotKey = (id: number): string => `L${id}`;
export const commitmentKey = (id: number): string => `C${id}`;

/** The lot or commitment a candidate id names. */
export function parseCandidateKey(key: string): SupplySource {
  const id = Number(key.slice(1));
  if (!Number.isSafeInteger(id) || (key[0] !== 'L' && key[0] !== 'C')) throw new Error(`not a candidate id: ${key}`);
  return key[0] === 'L' ? { lotId: id, commitmentId: null } : { lotId: null, commitmentId: id };
}
