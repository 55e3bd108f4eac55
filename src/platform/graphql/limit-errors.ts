import { ServiceBusyError } from '../limits/gate.js';
import { TooManyAttemptsError } from '../limits/throttle.js';
import { builder } from './builder.js';
import { ErrorInterface } from './errors.js';

/** GraphQL shapes of the retryable limit errors (see platform/limits). */

builder.objectType(TooManyAttemptsError, {
  name: 'TooManyAttemptsError',
  description: 'Too many failed attempts for this account or address; retryable after the wait.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', { description: 'Seconds to wait before trying again.' }),
  }),
});

builder.objectType(ServiceBusyError, {
  name: 'ServiceBusyError',
  description: 'The service is at a capacity bound; nothing was done. Retry with backoff and jitter.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', { description: 'Seconds to wait before trying again.' }),
  }),
});

export const limitErrors = [TooManyAttemptsError, ServiceBusyError];
