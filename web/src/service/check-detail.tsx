import type { AssertionOutcomeFragment, PhasesFragment } from '../generated/graphql';
import { formatMs } from '../status';

/** "JSON $.status EQUALS ok": an assertion as a person reads it. */
export function assertionText({ assertion }: AssertionOutcomeFragment): string {
  const operator = assertion.operator.toLowerCase().replace(/_/g, ' ');
  return [assertion.source, assertion.path, operator, assertion.value === null ? null : JSON.stringify(assertion.value)]
    .filter((part) => part !== null && part !== '')
    .join(' ');
}

/** The last check's assertions, each with its outcome in words (colour is never the only signal). */
export function Assertions({ results }: { results: readonly AssertionOutcomeFragment[] }) {
  if (results.length === 0) return null;
  return (
    <section aria-labelledby="assertions-title" class="card">
      <h2 id="assertions-title">Assertions of the last check</h2>
      <table class="compact" data-testid="assertions">
        <thead>
          <tr>
            <th scope="col">Assertion</th>
            <th scope="col">Result</th>
            <th scope="col">Found</th>
          </tr>
        </thead>
        <tbody>
          {results.map((result, index) => (
            <tr key={`${index}:${assertionText(result)}`} data-ok={String(result.ok)}>
              <td>
                <code>{assertionText(result)}</code>
                {result.assertion.degrade && <span class="hint"> (degrades only)</span>}
              </td>
              <td class={result.ok ? 'ok-text' : result.assertion.degrade ? 'warn-text' : 'bad-text'}>
                {result.ok ? '✓ passed' : '✗ failed'}
              </td>
              <td class="break">{result.actual ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const PHASES: { key: keyof PhasesFragment; label: string }[] = [
  { key: 'dnsMs', label: 'DNS' },
  { key: 'connectMs', label: 'Connect' },
  { key: 'tlsMs', label: 'TLS' },
  { key: 'firstByteMs', label: 'First byte' },
  { key: 'transferMs', label: 'Transfer' },
];

/** Where the time of the last check went: each phase in ms, with a bar of its share. */
export function Phases({ phases }: { phases: PhasesFragment | null | undefined }) {
  if (!phases) return null;
  const measured = PHASES.filter(({ key }) => phases[key] !== null && phases[key] !== undefined);
  if (measured.length === 0) return null;
  const total = measured.reduce((sum, { key }) => sum + (phases[key] ?? 0), 0);
  return (
    <section aria-labelledby="phases-title" class="card">
      <h2 id="phases-title">Where the time went</h2>
      <table class="compact phases" data-testid="phases">
        <tbody>
          {measured.map(({ key, label }) => {
            const ms = phases[key] ?? 0;
            return (
              <tr key={key}>
                <th scope="row">{label}</th>
                <td class="num">{ms < 10 ? `${ms.toFixed(1)} ms` : formatMs(ms)}</td>
                <td class="phase-bar" aria-hidden="true">
                  <span style={{ width: `${total > 0 ? Math.max(1, (ms / total) * 100) : 0}%` }} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
