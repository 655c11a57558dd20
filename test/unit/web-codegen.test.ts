import { readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { webCodegenConfig } from '../../web/codegen.js';

const root = new URL('../../', import.meta.url);

describe("the dashboard's typed documents (web/src/generated)", () => {
  it('match what codegen makes of web/src/**/*.graphql and schema.graphql (run `npm run codegen:web`)', async () => {
    // Generated in memory (nothing written), from the repository root the config's paths are relative to.
    const cwd = process.cwd();
    process.chdir(new URL('.', root).pathname);
    let files: { filename: string; content: string }[];
    try {
      files = await generate({ ...webCodegenConfig, silent: true }, false);
    } finally {
      process.chdir(cwd);
    }
    expect(files.map((f) => f.filename).sort()).toEqual([
      'web/src/generated/gql.ts',
      'web/src/generated/graphql.ts',
      'web/src/generated/index.ts',
    ]);
    for (const file of files) {
      expect(await readFile(new URL(file.filename, root), 'utf8'), `${file.filename} is stale`).toBe(file.content);
    }
  });
});
