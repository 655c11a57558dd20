import { readFile } from 'node:fs/promises';
import { buildSchema, findBreakingChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../src/graphql/print-schema.js';

const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('the printed schema', () => {
  it('matches the committed schema.graphql (run `npm run schema:print` after changing the schema)', async () => {
    expect(printedSchema()).toBe(await read('schema.graphql'));
  });

  it('keeps every name and meaning of the public contract (docs/api-contract.graphql)', async () => {
    const contract = buildSchema(await read('docs/api-contract.graphql'));
    const ours = buildSchema(await read('schema.graphql'));
    const breaking = findBreakingChanges(contract, ours).map((change) => change.description);
    expect(breaking).toEqual([]);
  });
});
