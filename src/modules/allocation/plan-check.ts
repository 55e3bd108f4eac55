import type { Candidate, PlanLine } from './engine.js';

/**
 * Does a plan made from an unlocked read still hold on the rows as locked? (pure)
 *
 * Acceptance plans without locks, then locks only the rows its plan uses and re-reads them through
 * the candidate query (so a row that stopped being a candidate — withdrawn, off-grade, regraded
 * below the order, its producer suspended, used up — comes back missing). The plan still holds when
 * every row it uses is still a candidate, with the same attributes the engine decided on (kind,
 * producer, grade, date, regency, EUDR readiness), and still has at least the weight the plan takes
 * from it. Rows the plan does not use may have moved: the plan remains the strategy's answer on a
 * consistent read and still fits exactly, so it is written as is.
 *
 * Returns null when the plan holds, else why not (for the re-plan).
 */
export function planStillHolds(lines: readonly PlanLine[], planned: readonly Candidate[], locked: readonly Candidate[]): string | null {
  const before = new Map(planned.map((c) => [c.id, c]));
  const now = new Map(locked.map((c) => [c.id, c]));
  const takes = new Map<string, number>();
  for (const l of lines) takes.set(l.candidateId, (takes.get(l.candidateId) ?? 0) + l.weightG);
  for (const [id, weightG] of takes) {
    const b = before.get(id);
    const n = now.get(id);
    if (!b) throw new Error(`plan line on ${id}, which was not a candidate`);
    if (!n) return `${id} is no longer a candidate`;
    if (n.kind !== b.kind || n.producerId !== b.producerId || n.gradeRank !== b.gradeRank || n.gradeCode !== b.gradeCode ||
      n.date !== b.date || n.regency !== b.regency || n.eudrReady !== b.eudrReady) {
      return `${id} changed since it was planned`;
    }
    if (n.availableG < weightG) return `${id} has ${n.availableG} g left, the plan takes ${weightG} g`;
  }
  return null;
}
