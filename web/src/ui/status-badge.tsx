import { STATUS_ICON, STATUS_TEXT } from '../status';

/** Icon and word together, coloured by status: readable without colour. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`status status-${status.toLowerCase()}`} data-status={status}>
      <span class="status-icon" aria-hidden="true">
        {STATUS_ICON[status] ?? '?'}
      </span>
      {STATUS_TEXT[status] ?? status}
    </span>
  );
}
