import type { FastifyInstance, FastifyReply } from 'fastify';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import type { Language } from '../../platform/language.js';
import { requestLanguage, sendRefusal } from '../../platform/http/refusal.js';
import * as statements from './statements.service.js';

/**
 * CSV downloads of payout statements, with bearer auth like /graphql (the app authenticates
 * /exports/ requests). The same text as the GraphQL fields orderStatementsCsv and
 * cooperativeStatementsCsv; explanations follow Accept-Language.
 *
 * - `GET /exports/settlement/orders/:orderId/statements.csv` — the brand manager of the order's brand;
 * - `GET /exports/settlement/cooperatives/:cooperativeId/statements.csv?from=YYYY-MM-DD&to=YYYY-MM-DD` —
 *   the cooperative's manager.
 * No or a bad token → 401; bad input → 400 naming the field; statements the caller may not export
 * (a buyer's own order, another cooperative) → 404 with exactly the body of an order or cooperative
 * that does not exist, so the answer never tells that one exists.
 */
async function answer(reply: FastifyReply, lang: Language, filename: string, produce: () => Promise<string>) {
  try {
    const csv = await produce();
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store')
      .send(csv);
  } catch (e) {
    if (e instanceof ValidationError) return sendRefusal(reply, 400, e, lang);
    if (e instanceof NotFoundError) return sendRefusal(reply, 404, e, lang);
    if (e instanceof ForbiddenError) return sendRefusal(reply, 403, e, lang);
    throw e;
  }
}

export async function settlementExports(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { orderId: string } }>('/exports/settlement/orders/:orderId/statements.csv', async (request, reply) => {
    const lang = requestLanguage(request);
    if (!request.principal) return sendRefusal(reply, 401, new UnauthenticatedError('A valid token is required (Authorization: Bearer <token>)'), lang);
    return answer(reply, lang, `statements-order-${request.params.orderId}.csv`, () =>
      statements.orderStatementsCsv(app.database.db, request.principal, decodeId(request.params.orderId, 'Order', 'orderId'), lang),
    );
  });
  app.get<{ Params: { cooperativeId: string }; Querystring: { from?: string; to?: string } }>(
    '/exports/settlement/cooperatives/:cooperativeId/statements.csv',
    async (request, reply) => {
      const lang = requestLanguage(request);
      if (!request.principal) return sendRefusal(reply, 401, new UnauthenticatedError('A valid token is required (Authorization: Bearer <token>)'), lang);
      const { from = '', to = '' } = request.query;
      return answer(reply, lang, `statements-cooperative-${request.params.cooperativeId}-${from}-${to}.csv`, () =>
        statements.cooperativeStatementsCsv(
          app.database.db,
          request.principal,
          { cooperativeId: decodeId(request.params.cooperativeId, 'Cooperative', 'cooperativeId'), from, to },
          lang,
        ),
      );
    },
  );
}
