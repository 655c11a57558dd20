import { type DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isStorableText } from '../registry/text.js';

const CURSOR_ARGUMENTS = new Set(['after', 'before']);

/**
 * Connection cursors are opaque base64 and Pothos hands what they decode to straight to the
 * database; one that decodes to text PostgreSQL refuses (NUL, a lone surrogate) would be an
 * unexpected error, so it is refused up front as an invalid cursor.
 */
export function useCursorCheck(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      for (const cursor of cursorsOf(args.document, args.variableValues ?? {})) {
        if (!isStorableText(Buffer.from(cursor, 'base64').toString('utf8')) || !isStorableText(cursor)) {
          setResultAndStopExecution({
            errors: [
              new GraphQLError('invalid cursor', { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } }),
            ],
          });
          return;
        }
      }
    },
  };
}

function cursorsOf(document: DocumentNode, variables: Record<string, unknown>): string[] {
  const found: string[] = [];
  visit(document, {
    Argument(node) {
      if (!CURSOR_ARGUMENTS.has(node.name.value)) return;
      if (node.value.kind === Kind.STRING) found.push(node.value.value);
      if (node.value.kind === Kind.VARIABLE) {
        const value = variables[node.value.name.value];
        if (typeof value === 'string') found.push(value);
      }
    },
  });
  return found;
}
