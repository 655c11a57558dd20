/** `npm run schema:print`: writes schema.graphql from the Pothos schema (the test suite fails when it is stale). */
import { writeFile } from 'node:fs/promises';
import { printedSchema } from '../src/graphql/print-schema.js';

await writeFile(new URL('../schema.graphql', import.meta.url), printedSchema());
console.log('wrote schema.graphql');
