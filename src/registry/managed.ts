import { ConflictError } from './errors.js';

/** Whether an object belongs to the config file and API changes to it are refused now. */
export type ProtectManaged = () => boolean;

/**
 * Refuses an API change to an object the config file manages (CONFIG_FILE set, CONFIG_FILE_MODE
 * strict): the next apply of the file would undo it. `what` names the object: `service "api"`.
 */
export function refuseIfManaged(
  protect: ProtectManaged | undefined,
  row: { managedBy: string | null } | null,
  what: string,
): void {
  if (row?.managedBy && protect?.()) {
    throw new ConflictError(
      `${what} is managed by the config file (CONFIG_FILE): change it there, or set CONFIG_FILE_MODE=merge`,
    );
  }
}
