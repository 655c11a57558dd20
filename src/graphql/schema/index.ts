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

builder.queryType({});
builder.mutationType({});

export const schema = builder.toSchema({ sortSchema: false });
