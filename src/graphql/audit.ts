import { typeBrandKey } from '@pothos/core';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { AuditRecord } from '../audit/audit-log.js';
import type { GraphQLContext } from './context.js';

/**
 * Every mutation that did something is recorded in the audit log: who (the token's name, or
 * "environment token"), which mutation, on what, and a summary. The summary names the arguments
 * and input fields given, never their values, so no secret (a header, a url's password, a
 * channel's key) can reach it; the values of a few fields known to be harmless are shown.
 */

/** Input fields whose values are shown in a summary (nothing secret can be in them). */
const SHOWN_VALUES = new Set(['scopes', 'labels', 'kind', 'status', 'intervalSeconds', 'expiresAt', 'dryRun', 'prune']);
/** Fields of a mutation's result that name what it changed, in the order tried. */
const NAMING_FIELDS = ['name', 'slug', 'title'] as const;

type Named = Partial<Record<(typeof NAMING_FIELDS)[number], unknown>>;

const kindOf = (key: string) => key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** What a mutation changed, from its result: `service "api"`, `apiToken "ci"`, `page "status"`. */
function targetOf(result: unknown, args: Record<string, unknown>): string | null {
  if (result && typeof result === 'object') {
    for (const [key, value] of Object.entries(result as Record<string, unknown>)) {
      if (!value || typeof value !== 'object') continue;
      const named = value as Named;
      for (const field of NAMING_FIELDS) {
        if (typeof named[field] === 'string') return `${kindOf(key)} "${named[field]}"`;
      }
    }
  }
  const input = args.input as Named | undefined;
  if (typeof input?.name === 'string') return `"${input.name}"`;
  if (typeof args.name === 'string') return `"${args.name}"`;
  return null;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** "input: name, url, labels=[team:a]; id": the names of what was given, values only where harmless. */
export function summaryOf(args: Record<string, unknown>): string {
  const parts: string[] = [];
  const given = (name: string, value: unknown) =>
    SHOWN_VALUES.has(name) && value !== null && value !== undefined ? `${name}=${describe(value)}` : name;
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined) continue;
    if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      const fields = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      parts.push(`${name}: ${fields.map(([field, v]) => given(field, v)).join(', ') || '(nothing)'}`);
    } else {
      parts.push(given(name, value));
    }
  }
  return parts.join('; ') || '(no arguments)';
}

export function auditRecordOf(
  ctx: GraphQLContext,
  operation: string,
  args: Record<string, unknown>,
  result: unknown,
): AuditRecord {
  return { actor: ctx.principal.actor, operation, target: targetOf(result, args), summary: summaryOf(args) };
}

/**
 * The errors plugin answers a typed error as a proxy of it whose prototype chain is hidden (so
 * that GraphQL does not take it for a thrown error); the brand it carries names the error class.
 */
function isTypedError(result: unknown): boolean {
  if (result instanceof Error) return true;
  if (!result || typeof result !== 'object') return false;
  const brand = (result as Record<symbol, unknown>)[typeBrandKey];
  return typeof brand === 'function' && brand.prototype instanceof Error;
}

/** Applied once to the built schema: every Mutation field records what it did, once it did it. */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    const resolve: GraphQLFieldResolver<unknown, GraphQLContext> = field.resolve ?? defaultFieldResolver;
    field.resolve = async (root, args, ctx, info) => {
      const result = await resolve(root, args, ctx, info);
      // A typed error (ValidationError, NotFoundError, …) changed nothing.
      if (isTypedError(result)) return result;
      // The change is made: a failed write is logged, not turned into a failed answer that would hide it.
      await ctx.audit.tryRecord(auditRecordOf(ctx, field.name, args, result));
      return result;
    };
  }
  return schema;
}
