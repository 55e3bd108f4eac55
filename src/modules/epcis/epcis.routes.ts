import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { shipmentEpcis } from './epcis.service.js';

/**
 * GET /exports/shipments/:id/epcis.jsonld: the EPCIS 2.0 JSON-LD document of a shipment, with the
 * same authorisation as the `epcisDocument` query (bearer token; the order's buyer, the brand's
 * managers, admins). An unknown id, a malformed one and a shipment the caller may not see all get
 * the same 404. `:id` is the shipment's global ID (or its number). The principal is set by app.ts's
 * onRequest hook for /exports/ paths; without a token the answer is 401.
 */

const fail = (reply: FastifyReply, status: number, error: AppError) =>
  reply.code(status).send({ errors: [{ message: error.message, extensions: { code: error.code } }] });

const shipmentId = (raw: string): number => (/^\d{1,15}$/.test(raw) ? Number(raw) : decodeId(raw, 'Shipment', 'id'));

export async function epcisRoutes(app: FastifyInstance): Promise<void> {
  app.get('/exports/shipments/:id/epcis.jsonld', async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    if (!request.principal) return fail(reply, 401, new UnauthenticatedError());
    try {
      const id = shipmentId(request.params.id);
      const document = await shipmentEpcis(app.database.db, request.principal, id, 'id');
      reply.header('content-disposition', `attachment; filename="shipment-${id}.epcis.jsonld"`);
      return reply.type('application/ld+json').send(document);
    } catch (error) {
      if (error instanceof NotFoundError) return fail(reply, 404, new NotFoundError('Shipment', 'id'));
      if (error instanceof ValidationError) return fail(reply, 404, new NotFoundError('Shipment', 'id'));
      throw error;
    }
  });
}
