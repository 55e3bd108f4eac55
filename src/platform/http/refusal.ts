import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, ValidationError } from '../errors.js';
import { type Language, responseLanguage } from '../language.js';
import { localizedMessage } from '../messages.js';

/** The language of a response: the signed-in person's preferred language, else the request's Accept-Language. */
export const requestLanguage = (request: FastifyRequest): Language =>
  responseLanguage(request.principal?.preferredLanguage, request.headers['accept-language']);

/**
 * A refusal outside GraphQL (the CSV downloads under /exports/), in the shape of GraphQL's `errors`:
 * the message in `language`, the code, and for bad input the issues with their paths.
 */
export function sendRefusal(reply: FastifyReply, status: number, error: AppError, language: Language) {
  const issues = error instanceof ValidationError ? { issues: error.issues.map((i) => ({ path: i.path, message: i.text[language] })) } : {};
  return reply.code(status).send({ errors: [{ message: localizedMessage(error, language), extensions: { code: error.code, ...issues } }] });
}
