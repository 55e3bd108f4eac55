import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../platform/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import * as shu from './shu.service.js';

/**
 * `GET /exports/shu/:cooperativeId/:fiscalYear` — the SHU report of a cooperative's fiscal year as
 * a CSV download (the same text as `ShuYear.csv`), for the members' meeting. Bearer auth like
 * /graphql (the app authenticates /exports/ requests): no or a bad token → 401; a year that does
 * not exist or that the caller may not see (not its manager or an admin) → 404, the same answer.
 */
export async function shuExports(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { cooperativeId: string; fiscalYear: string } }>('/exports/shu/:cooperativeId/:fiscalYear', async (request, reply) => {
    if (!request.principal) {
      return reply.code(401).send({ errors: [{ message: 'A valid token is required (Authorization: Bearer <token>)', extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    let cooperativeId: number;
    try {
      cooperativeId = decodeId(request.params.cooperativeId, 'Cooperative', 'cooperativeId');
    } catch (e) {
      if (e instanceof ValidationError) return reply.code(400).send({ errors: [{ message: e.message, extensions: { code: 'VALIDATION_FAILED' } }] });
      throw e;
    }
    const fiscalYear = /^\d{4}$/.test(request.params.fiscalYear) ? Number(request.params.fiscalYear) : null;
    if (fiscalYear === null) {
      return reply.code(400).send({ errors: [{ message: 'fiscalYear must be a year such as 2026', extensions: { code: 'VALIDATION_FAILED' } }] });
    }
    const db = app.database.db;
    const year = await shu.findYear(db, request.principal, cooperativeId, fiscalYear);
    if (!year) return reply.code(404).send({ errors: [{ message: 'SHU year not found', extensions: { code: 'NOT_FOUND' } }] });
    const csv = shu.reportCsv(await shu.yearReport(db, year));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="shu-${cooperativeId}-${fiscalYear}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });
}
