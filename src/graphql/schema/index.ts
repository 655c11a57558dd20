import { guardServiceAccess } from '../access.js';
import { auditMutations } from '../audit.js';
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
import './config.js';
import './maintenance.js';
import './dependencies.js';
import './api-tokens.js';
import './audit-log.js';

builder.queryType({});
builder.mutationType({});

/**
 * Built once per process; then its Service fields are guarded (graphql/access.ts) and its mutations
 * recorded in the audit log (graphql/audit.ts), once.
 */
export const schema = auditMutations(guardServiceAccess(builder.toSchema({ sortSchema: false })));
