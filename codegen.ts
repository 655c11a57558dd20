import type { CodegenConfig } from '@graphql-codegen/cli';
import { typedStringDocuments } from './web/codegen.js';

/**
 * Typed documents from the printed schema, made on every install (scripts/generate.mjs): the tests'
 * (test/operations) and the CLI's (src/cli/operations, as source strings with their types: the CLI
 * needs no GraphQL parser at run time).
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/cli/generated/': { documents: 'src/cli/operations/*.graphql', ...typedStringDocuments },
    'test/generated/': {
      documents: 'test/operations/*.graphql',
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string' },
      },
    },
  },
  emitLegacyCommonJSImports: false,
  errorsOnly: true,
};

export default config;
