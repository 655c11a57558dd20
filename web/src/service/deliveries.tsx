import { requestIfAllowed } from '../api/http';
import { ServiceDeliveriesDocument } from '../generated/graphql';
import { formatTime } from '../status';
import { useAsync } from '../ui/use-async';

const SHOWN = 10;

/**
 * The service's latest notification deliveries, when there are any and this token may read them
 * (channels are for tokens only: the section is left out, not an error, when refused).
 */
export function Deliveries({ id, version }: { id: string; version: number }) {
  const deliveries = useAsync(
    () => requestIfAllowed(ServiceDeliveriesDocument, { id, first: SHOWN }),
    `${id}:${version}`,
  );
  const connection = deliveries.data?.service?.notifications;
  if (!connection || connection.totalCount === 0) return null;
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Notifications</h2>
      <table class="compact deliveries" data-testid="deliveries">
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Event</th>
            <th scope="col">Channel</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Attempts
            </th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {connection.edges.map(({ node }) => (
            <tr key={node.id}>
              <td>
                <time dateTime={node.createdAt}>{formatTime(node.createdAt)}</time>
              </td>
              <td>{node.event}</td>
              <td>
                {node.channel.name} <span class="hint">({node.channel.kind.toLowerCase()})</span>
              </td>
              <td>
                {node.status}
                {node.status === 'PENDING' && node.nextAttemptAt && (
                  <span class="hint"> next at {formatTime(node.nextAttemptAt)}</span>
                )}
                {node.sentAt && <span class="hint"> at {formatTime(node.sentAt)}</span>}
              </td>
              <td class="num">{node.attempts}</td>
              <td class="break">{node.lastError ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {connection.totalCount > SHOWN && (
        <p class="hint">
          The latest {SHOWN} of {connection.totalCount}.
        </p>
      )}
    </section>
  );
}
