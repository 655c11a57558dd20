/**
 * npm run bench:config [-- --services 1000]
 *
 * Config as code at scale: a document of `services` services (the realistic mix of the tests:
 * eight kinds, 3 channels, a status page) planned from empty, applied from empty (one transaction),
 * planned again (all UNCHANGED), exported; beside it, the same services registered one by one
 * through the registry (the path of registerService), as a baseline. Checks are off (nothing is
 * contacted; every url is on 127.0.0.1). DATABASE_URL set: PostgreSQL, else the embedded database.
 */
import { parseArgs } from 'node:util';
import { CONFIG_ENV, realisticConfig, toYaml } from '../test/support/config-document.js';
import { startBenchApp } from './support/checker-app.js';
import { fmt, table } from './support/stats.js';

const { values } = parseArgs({ options: { services: { type: 'string', default: '1000' } } });
const SERVICES = Number(values.services);

const time = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
};

const document = toYaml(realisticConfig(SERVICES));
const bench = await startBenchApp({ SCHEDULER_ENABLED: 'false', ...CONFIG_ENV });
try {
  const config = bench.app.testing.configAsCode;
  const [planned, planMs] = await time(() => config.applyConfig(document, 'YAML', true));
  if (!planned.ok) throw new Error(JSON.stringify(planned.problems.slice(0, 5)));
  const [applied, applyMs] = await time(() => config.applyConfig(document, 'YAML', false));
  if (!applied.ok) throw new Error(JSON.stringify(applied.problems.slice(0, 5)));
  const [again, againMs] = await time(() => config.applyConfig(document, 'YAML', true));
  if (!again.ok || again.plan.changes.some((change) => change.action !== 'UNCHANGED')) throw new Error('not UNCHANGED');
  const [exported, exportMs] = await time(() => config.exportConfig());
  const [, registerMs] = await time(async () => {
    for (let i = 0; i < SERVICES; i++) {
      await bench.app.testing.registry.register({ name: `baseline-${i}`, url: `http://127.0.0.1:9/baseline-${i}` });
    }
  });
  console.log(`config as code, ${SERVICES} services + 3 channels + 1 page, ${bench.database}`);
  console.log(
    table([
      ['step', 'ms', 'per service'],
      ['plan from empty (dry run)', fmt.int(planMs), `${fmt.fixed(planMs / SERVICES, 2)} ms`],
      ['apply from empty (one transaction)', fmt.int(applyMs), `${fmt.fixed(applyMs / SERVICES, 2)} ms`],
      ['plan again (all UNCHANGED)', fmt.int(againMs), `${fmt.fixed(againMs / SERVICES, 2)} ms`],
      [
        `export (${(exported.length / 1024).toFixed(0)} KiB of YAML)`,
        fmt.int(exportMs),
        `${fmt.fixed(exportMs / SERVICES, 2)} ms`,
      ],
      ['baseline: registry.register one by one', fmt.int(registerMs), `${fmt.fixed(registerMs / SERVICES, 2)} ms`],
    ]),
  );
} finally {
  await bench.stop();
}
