import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { type Issue, issueAt, ValidationError } from '../errors.js';
import { ISSUES, type IssueText } from '../issue-messages.js';

/**
 * The one place every text a client sends goes through (issue 8 §2): a Pothos plugin that wraps
 * every field taking arguments and, before scope checks, loaders or the resolver run, walks the
 * coerced arguments (variables and document literals alike, nested input objects, lists, GeoJSON)
 * and refuses any string holding a control character (C0 except tab, newline and carriage return;
 * DEL; C1) or a lone UTF-16 surrogate. PostgreSQL rejects NUL in text and JSON with a 500-shaped
 * driver error, and turns lone surrogates into U+FFFD or fails in jsonb; neither is text a person
 * meant to write. The refusal is a ValidationError naming each offending field, e.g.
 * `input.rows.2.name` or `input.regencies.1`, so a mutation returns it as its typed union member.
 */

// Tab (09), newline (0A) and carriage return (0D) are ordinary in notes and reasons.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string is refused as text input (as a value, or as a key of a JSON object), or null when it is acceptable. */
export function textProblem(value: string, asKey = false): IssueText | null {
  const control = CONTROL.exec(value);
  if (control) {
    const codePoint = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return (asKey ? ISSUES.keyControlCharacter : ISSUES.controlCharacter)({ codePoint, position: control.index });
  }
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) return (asKey ? ISSUES.keyLoneSurrogate : ISSUES.loneSurrogate)({ position: surrogate.index });
  return null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** Every problem in the (coerced) arguments of a field, each with its dotted path. At most `max` issues. */
export function textIssues(args: Record<string, unknown>, max = 20): Issue[] {
  const issues: Issue[] = [];
  const walk = (value: unknown, path: string) => {
    if (issues.length >= max) return;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) issues.push(issueAt(path, problem));
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}.${i}`));
    } else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) {
        const keyProblem = textProblem(key, true);
        if (keyProblem) issues.push(issueAt(path, keyProblem));
        else walk(item, `${path}.${key}`);
      }
    }
  };
  for (const [name, value] of Object.entries(args)) walk(value, name);
  return issues;
}

const pluginName = 'textInputGuard';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      textInputGuard: TextInputGuardPlugin<Types>;
    }
  }
}

export class TextInputGuardPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (Object.keys(fieldConfig.args).length === 0) return resolver;
    return (parent, args, context, info) => {
      const issues = textIssues(args as Record<string, unknown>);
      if (issues.length > 0) throw new ValidationError(issues);
      return resolver(parent, args, context, info);
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, TextInputGuardPlugin);

export default pluginName;
