import type { FastifyInstance } from 'fastify';
import { type AppError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { requestLanguage, sendRefusal } from '../../platform/http/refusal.js';
import { decodeId } from '../../platform/graphql/ids.js';
import * as shu from './shu.service.js';

/**
 * `GET /exports/shu/:cooperativeId/:fiscalYear` — the SHU report of a cooperative's fiscal year as
 * a CSV download (the same text as `ShuYear.csv`), for the members' meeting. Bearer auth like
 * /graphql (the app authenticates /exports/ requests): no or a bad token → 401; a year that does
 * not exist or that the caller may not see (not its manager or an admin) → 404, the same answer.
 * Refusals follow the caller's preferred language, else Accept-Language.
 */
export async function shuExports(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { cooperativeId: string; fiscalYear: string } }>('/exports/shu/:cooperativeId/:fiscalYear', async (request, reply) => {
    const lang = requestLanguage(request);
    const fail = (status: number, e: AppError) => sendRefusal(reply, status, e, lang);
    if (!request.principal) return fail(401, new UnauthenticatedError('A valid token is required (Authorization: Bearer <token>)'));
    let cooperativeId: number;
    try {
      cooperativeId = decodeId(request.params.cooperativeId, 'Cooperative', 'cooperativeId');
    } catch (e) {
      if (e instanceof ValidationError) return fail(400, e);
      throw e;
    }
    const fiscalYear = /^\d{4}$/.test(request.params.fiscalYear) ? Number(request.params.fiscalYear) : null;
    if (fiscalYear === null) {
      return fail(400, ValidationError.field('fiscalYear', { en: 'must be a year such as 2026', id: 'harus berupa tahun, misalnya 2026' }));
    }
    const db = app.database.db;
    const year = await shu.findYear(db, request.principal, cooperativeId, fiscalYear);
    if (!year) return fail(404, new NotFoundError('ShuYear', null, 'SHU year not found'));
    const csv = shu.reportCsv(await shu.yearReport(db, year));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="shu-${cooperativeId}-${fiscalYear}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });
}
