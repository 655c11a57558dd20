import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The dashboard's typed documents: every `.graphql` file under web/src, checked against the printed
 * schema. `documentMode: 'string'` emits each operation as its source text with its types attached,
 * so the browser bundle needs no GraphQL parser or printer. The output is committed;
 * test/unit/web-codegen.test.ts fails when it is stale (`npm run codegen:web` rewrites it).
 */
/** Each operation as its source string with its types attached (the CLI's documents are made the same way). */
export const typedStringDocuments = {
  preset: 'client',
  presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
  config: {
    documentMode: 'string',
    enumsAsTypes: true,
    useTypeImports: true,
    scalars: { DateTime: 'string' },
  },
} as const;

export const webCodegenConfig: CodegenConfig = {
  schema: 'schema.graphql',
  documents: 'web/src/**/*.graphql',
  generates: { 'web/src/generated/': typedStringDocuments },
  emitLegacyCommonJSImports: false,
  errorsOnly: true,
};

export default webCodegenConfig;
