import type { z } from 'zod';
import { type Issue, ValidationError } from './errors.js';

/** Parse input with a zod schema; failures become one ValidationError naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, basePath = 'input'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(zodIssues(result.error.issues, basePath));
}

export function zodIssues(issues: readonly z.core.$ZodIssue[], basePath: string): Issue[] {
  return issues.map((i) => ({ path: [basePath, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
}
