import underPressure from '@fastify/under-pressure';
import fp from 'fastify-plugin';
import type { Config } from '../../config.js';
import { pickLanguage } from '../language.js';
import { localizedRequestMessage } from '../messages.js';

/**
 * Load shedding (@fastify/under-pressure): while the event loop lags or the heap/RSS is above its
 * threshold, requests get 503 with Retry-After instead of queueing until they time out. /healthz is
 * exempt (the process is alive); /readyz reports the pressure (see app.ts).
 */
export const pressurePlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const p = config.pressure;
    await app.register(underPressure, {
      maxEventLoopDelay: p.maxEventLoopDelayMs,
      maxHeapUsedBytes: p.maxHeapUsedBytes,
      maxRssBytes: p.maxRssBytes,
      retryAfter: p.retryAfterSeconds,
      sampleInterval: 250,
      exposeStatusRoute: false,
      pressureHandler: (request, reply, type, value) => {
        if (request.url === '/healthz' || request.url === '/readyz') return;
        request.log.warn({ type, value }, 'under pressure: shedding load');
        reply.code(503).header('retry-after', String(p.retryAfterSeconds));
        // A non-null return is sent as the body (under-pressure's contract).
        return {
          errors: [{
            message: localizedRequestMessage('SERVICE_UNAVAILABLE', 'The service is overloaded; retry later', pickLanguage(request.headers['accept-language'])),
            extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: p.retryAfterSeconds },
          }],
        } as never;
      },
    });
  },
  { name: 'lumbung-pressure' },
);
