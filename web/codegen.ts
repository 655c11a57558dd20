import type { CodegenConfig } from '@graphql-codegen/cli';

const typedStrings = (documents: string) => ({
  documents,
  preset: 'client' as const,
  presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
  config: {
    documentMode: 'string',
    enumsAsTypes: true,
    useTypeImports: true,
    scalars: { DateTime: 'string' },
  },
});

/**
 * The typed documents of the clients we ship, checked against the printed schema: the dashboard's
 * (every `.graphql` file under web/src) and the CLI's (src/cli/operations). `documentMode: 'string'`
 * emits each operation as its source text with its types attached, so neither needs a GraphQL
 * parser or printer at run time. The output is committed; test/unit/committed-codegen.test.ts fails
 * when it is stale (`npm run codegen:web` rewrites both).
 */
export const webCodegenConfig: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'web/src/generated/': typedStrings('web/src/**/*.graphql'),
    'src/cli/generated/': typedStrings('src/cli/operations/*.graphql'),
  },
  emitLegacyCommonJSImports: false,
  errorsOnly: true,
};

export default webCodegenConfig;
