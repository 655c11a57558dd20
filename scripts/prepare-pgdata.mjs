#!/usr/bin/env node
// Part of `npm run build`: the embedded database's data directory, made once (initdb plus the
// migrations) into dist/pgdata-template, which a first start copies instead of running initdb.
// Does nothing when the template there was made by this PGlite version and these migrations.
import { buildTemplate, TEMPLATE_DIR } from '../dist/db/pgdata-template.js';

const started = Date.now();
if (await buildTemplate()) console.log(`made ${TEMPLATE_DIR} in ${Date.now() - started} ms`);
