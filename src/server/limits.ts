import { createComplexityRule } from '@pothos/plugin-complexity';
import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  type ValidationContext,
  validate,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Limits on every GraphQL operation, over HTTP and WebSockets alike (the README lists them). */
export const OPERATION_LIMITS = {
  /** Lexical tokens in a document; enforced while parsing, so a huge document costs little. */
  maxTokens: 2_000,
  /** Nesting of selections in an ordinary operation. */
  maxDepth: 10,
  /**
   * Nesting allowed in an introspection-only operation: GraphiQL's and graphql-codegen's
   * introspection query nests `ofType` to depth 15; a hostile 50-deep chain is still refused.
   */
  maxIntrospectionDepth: 20,
  /** Aliased fields in an operation, fragments included. */
  maxAliases: 30,
  /** Estimated cost (Pothos complexity: a connection's page size multiplies what it selects). */
  maxComplexity: 25_000,
} as const;

const badRequest = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });

/** Envelop plugin: token limit at parse time, depth and alias limits as validation rules, cost before execution. */
export function useOperationLimits(): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => parse(source, { ...options, maxTokens: OPERATION_LIMITS.maxTokens }));
    },
    onValidate({ addValidationRule }) {
      addValidationRule(depthAndAliasRule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const errors = costErrors(args);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const errors = costErrors(args);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}

function costErrors(args: {
  schema: Parameters<typeof validate>[0];
  document: DocumentNode;
  contextValue?: unknown;
  variableValues?: Record<string, unknown> | null;
  operationName?: string | null;
}): GraphQLError[] {
  const errors = validate(args.schema, args.document, [
    createComplexityRule({
      context: (args.contextValue ?? {}) as object,
      variableValues: args.variableValues ?? {},
      operationName: args.operationName ?? undefined,
      maxComplexity: OPERATION_LIMITS.maxComplexity,
    }),
  ]);
  return errors.map((e) => badRequest(e.message));
}

/** One pass over each operation, following fragments (each fragment counted once per path). */
function depthAndAliasRule(context: ValidationContext): ASTVisitor {
  const document = context.getDocument();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return {
    OperationDefinition(operation: OperationDefinitionNode) {
      const introspectionOnly = operation.selectionSet.selections.every(
        (s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'),
      );
      const maxDepth = introspectionOnly ? OPERATION_LIMITS.maxIntrospectionDepth : OPERATION_LIMITS.maxDepth;
      const measured = measure(operation.selectionSet, fragments, maxDepth);
      const name = operation.name ? ` ${operation.name.value}` : '';
      if (measured.depth > maxDepth) {
        context.reportError(badRequest(`operation${name} is nested more than ${maxDepth} levels deep`));
      }
      if (measured.aliases > OPERATION_LIMITS.maxAliases) {
        context.reportError(
          badRequest(
            `operation${name} uses ${measured.aliases} aliases; at most ${OPERATION_LIMITS.maxAliases} are allowed`,
          ),
        );
      }
      return false;
    },
  };
}

/**
 * Depth (stopping once past `maxDepth`, so a deep document costs no more than a legal one) and
 * aliases. A fragment spread inside itself is left to graphql's own NoFragmentCycles rule.
 */
function measure(
  root: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  maxDepth: number,
): { depth: number; aliases: number } {
  let deepest = 0;
  let aliases = 0;
  const walk = (set: SelectionSetNode, depth: number, visiting: Set<string>) => {
    for (const selection of set.selections) {
      if (aliases > OPERATION_LIMITS.maxAliases && deepest > maxDepth) return;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases++;
        const fieldDepth = depth + 1;
        if (fieldDepth > deepest) deepest = fieldDepth;
        if (selection.selectionSet && fieldDepth <= maxDepth) walk(selection.selectionSet, fieldDepth, visiting);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, depth, visiting);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        visiting.add(name);
        walk(fragment.selectionSet, depth, visiting);
        visiting.delete(name);
      }
    }
  };
  walk(root, 0, new Set());
  return { depth: deepest, aliases };
}
