import { Component } from 'preact';
import { Link, servicePath } from '../router';
import { formatMs, formatPercent, kindOf } from '../status';
import { StatusBadge } from '../ui/status-badge';
import type { Row } from './services-store';

const FLASH = [{ backgroundColor: 'var(--flash)' }, { backgroundColor: 'transparent' }];

/** One row; re-renders only when its own row object changed, and flashes when a live event did it. */
export class ServiceRow extends Component<{ row: Row }> {
  override shouldComponentUpdate(next: { row: Row }) {
    return next.row !== this.props.row;
  }

  override componentDidUpdate(previous: { row: Row }) {
    if (this.props.row.flash !== previous.row.flash && this.base instanceof HTMLElement) {
      this.base.animate(FLASH, {
        duration: matchMedia('(prefers-reduced-motion: reduce)').matches ? 1 : 1500,
        easing: 'ease-out',
      });
    }
  }

  override render() {
    const { row } = this.props;
    return (
      <tr data-service-id={row.id} data-status={row.state.status}>
        <th scope="row" class="name">
          <Link href={servicePath(row.id)}>{row.name}</Link>
          <span class="url">{row.url}</span>
        </th>
        <td data-label="Status">
          <StatusBadge status={row.state.status} />
          {row.state.message && row.state.status !== 'UP' && <span class="message">{row.state.message}</span>}
        </td>
        <td data-label="Latency" class="num">
          {formatMs(row.state.latencyMs)}
        </td>
        <td data-label="Uptime 24 h" class="num">
          {formatPercent(row.uptime24h)}
        </td>
        <td data-label="Kind">{kindOf(row.url)}</td>
        <td data-label="Labels">
          <ul class="labels">
            {row.labels.map((label) => (
              <li key={label}>{label}</li>
            ))}
          </ul>
        </td>
      </tr>
    );
  }
}
