import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { rememberGeometrySources } from '../json-source.js';

/**
 * Fastify's own JSON body parser (prototype and constructor poisoning refused, as by default),
 * which also remembers the text of each GeoJSON geometry in the body (platform/json-source.ts),
 * so that the EUDR decimal rule counts `6.348210` as six places, as written.
 */
export const jsonBodyPlugin = fp(
  async (app: FastifyInstance) => {
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      parseJson(request, text, (error, value) => {
        if (!error) rememberGeometrySources(value, text);
        done(error, value);
      });
    });
  },
  { name: 'lumbung-json-body' },
);
