import { useEffect, useState } from 'preact/hooks';
import { request } from '../api/http';
import { ServiceHistoryDocument, type ServiceHistoryQuery } from '../generated/graphql';
import { formatTime } from '../status';
import { StatusBadge } from '../ui/status-badge';

type Change = NonNullable<ServiceHistoryQuery['service']>['statusChanges']['edges'][number]['node'];
const PAGE = 20;

/** The service's transitions, newest first, a page at a time; `version` bumps reload the first page. */
export function HistoryList({ id, version }: { id: string; version: number }) {
  const [changes, setChanges] = useState<Change[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);

  const load = async (after: string | null) => {
    setLoading(true);
    try {
      const data = await request(ServiceHistoryDocument, { id, first: PAGE, after });
      const connection = data.service?.statusChanges;
      const page = connection?.edges.map((e) => e.node) ?? [];
      setChanges((known) => (after ? [...known, ...page] : page));
      setNext(connection?.pageInfo.hasNextPage ? (connection.pageInfo.endCursor ?? null) : null);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
    setLoading(false);
  };

  useEffect(() => {
    void load(null);
  }, [id, version]);

  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {error && <p class="error">{error}</p>}
      {changes.length === 0 && !loading ? (
        <p class="empty">No status change recorded yet.</p>
      ) : (
        <ol class="changes history">
          {changes.map((change, index) => (
            <li key={`${change.at}-${index}`} data-current={change.current}>
              <time dateTime={change.at}>{formatTime(change.at)}</time> <StatusBadge status={change.previous} /> →{' '}
              <StatusBadge status={change.current} />
              {change.message && <span class="message">{change.message}</span>}
            </li>
          ))}
        </ol>
      )}
      {next && (
        <button type="button" disabled={loading} onClick={() => void load(next)}>
          Show older changes
        </button>
      )}
    </section>
  );
}
