import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { EudrLimitError, packageFeatureCollection } from './eudr-package.js';
import { eudrPackage } from './shipments.service.js';

/**
 * Downloads of a shipment's export papers, with the same authorisation as the GraphQL query
 * (bearer token; the order's buyer, the brand's managers, admins; anyone else 404 as for a
 * missing shipment):
 *   GET /exports/shipments/:id/eudr.json     the EUDR package (V3 statement shape plus blockers)
 *   GET /exports/shipments/:id/eudr.geojson  all plots as one FeatureCollection
 * `:id` is the shipment's global ID (or its number). The principal is set by app.ts's onRequest
 * hook for /exports/ paths; a missing token is 401.
 */

export const EXPORTS_PREFIX = '/exports/';

const fail = (reply: FastifyReply, status: number, error: AppError) =>
  reply.code(status).send({ errors: [{ message: error.message, extensions: { code: error.code } }] });

function shipmentId(raw: string): number {
  if (/^\d{1,15}$/.test(raw)) return Number(raw);
  return decodeId(raw, 'Shipment', 'id');
}

export async function exportRoutes(app: FastifyInstance): Promise<void> {
  const handler = (format: 'json' | 'geojson') => async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    if (!request.principal) return fail(reply, 401, new UnauthenticatedError());
    try {
      const id = shipmentId(request.params.id);
      const pkg = await eudrPackage(app.database.db, request.principal, id, 'id');
      const name = `${pkg.statement.internalReferenceNumber}.${format === 'json' ? 'eudr.json' : 'eudr.geojson'}`;
      reply.header('content-disposition', `attachment; filename="${name}"`);
      if (format === 'json') return reply.type('application/json').send(pkg);
      return reply.type('application/geo+json').send(packageFeatureCollection(pkg));
    } catch (error) {
      if (error instanceof NotFoundError) return fail(reply, 404, error);
      if (error instanceof ValidationError) return fail(reply, 404, new NotFoundError('Shipment', 'id'));
      if (error instanceof EudrLimitError) return fail(reply, 422, error);
      throw error;
    }
  };
  app.get('/exports/shipments/:id/eudr.json', handler('json'));
  app.get('/exports/shipments/:id/eudr.geojson', handler('geojson'));
}
