import type { CliClient } from './client.js';
import { EXIT } from './client.js';
import { CliServicesDocument, type CliServicesQuery } from './generated/graphql.js';
import { ago, table } from './table.js';

type ServiceLine = CliServicesQuery['services']['edges'][number]['node'];

/** Statuses that make `status` exit non-zero: the service is not serving. */
const FAILING = new Set(['DOWN']);

/** Every service, page by page (100 at a time). */
export async function allServices(client: CliClient): Promise<ServiceLine[]> {
  const out: ServiceLine[] = [];
  let after: string | null = null;
  for (;;) {
    const { services }: CliServicesQuery = await client.request(CliServicesDocument, { after });
    out.push(...services.edges.map((e) => e.node));
    if (!services.pageInfo.hasNextPage) return out;
    after = services.pageInfo.endCursor;
  }
}

/** `statuschecker status`: a table of services, broken ones first; exit 1 when any is DOWN. */
export async function statusCommand(
  client: CliClient,
  options: { json: boolean },
  write: (text: string) => void,
  now = new Date(),
): Promise<number> {
  const services = await allServices(client);
  const failing = services.filter((s) => FAILING.has(s.state.status));
  if (options.json) {
    write(`${JSON.stringify({ services, failing: failing.map((s) => s.name) }, null, 2)}\n`);
  } else if (services.length === 0) {
    write('no services registered\n');
  } else {
    const rank = (s: ServiceLine) => (FAILING.has(s.state.status) ? 0 : s.state.status === 'UP' ? 2 : 1);
    const sorted = [...services].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    const rows = sorted.map((s) => [
      s.name,
      s.state.status,
      s.kind,
      s.state.since ? ago(new Date(s.state.since), now) : '',
      s.state.latencyMs === null ? '' : `${Math.round(s.state.latencyMs)} ms`,
      s.state.message ?? '',
    ]);
    write(`${table(['NAME', 'STATUS', 'KIND', 'FOR', 'LATENCY', 'MESSAGE'], rows)}\n`);
    write(`\n${services.length} services, ${failing.length} down\n`);
  }
  return failing.length > 0 ? EXIT.FAILED : EXIT.OK;
}
