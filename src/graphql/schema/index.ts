import { guardServiceAccess } from '../access.js';
import { builder } from '../builder.js';
import './scalars.js';
import './errors.js';
import './enums.js';
import './assertions.js';
import './service.js';
import './service-queries.js';
import './service-mutations.js';
import './history.js';
import './checks.js';
import './subscriptions.js';
import './notifications.js';
import './status-pages.js';
import './incidents.js';
import './api-tokens.js';

builder.queryType({});
builder.mutationType({});

/** Built once per process; the access guard wraps its Service fields once (graphql/access.ts). */
export const schema = guardServiceAccess(builder.toSchema({ sortSchema: false }));
