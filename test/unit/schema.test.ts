import { readFile } from 'node:fs/promises';
import { buildSchema, findBreakingChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../src/graphql/print-schema.js';

const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), 'utf8');

/** Parts of the public contract that later issues build; this list only ever shrinks. */
const NOT_BUILT_YET = [
  'StatusChangeEvent was removed.',
  'CheckResult was removed.',
  'Subscription was removed.',
];

describe('the printed schema', () => {
  it('matches the committed schema.graphql (run `npm run schema:print` after changing the schema)', async () => {
    expect(printedSchema()).toBe(await read('schema.graphql'));
  });

  it('keeps every name and meaning of the public contract (docs/api-contract.graphql)', async () => {
    const contract = buildSchema(await read('docs/api-contract.graphql'));
    const ours = buildSchema(await read('schema.graphql'));
    const breaking = findBreakingChanges(contract, ours).map((change) => change.description);
    expect(breaking).toEqual(NOT_BUILT_YET);
  });
});
