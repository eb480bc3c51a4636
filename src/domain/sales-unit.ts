import { InvalidStateError } from "./errors";

/**
 * A deactivated sales unit keeps its history but takes no changes. `consequence` tells the user what that means for
 * what they tried, e.g. "its keys cannot be rotated".
 */
export function assertNotDeactivated(unit: { status: string }, consequence: string): void {
  if (unit.status === "DEACTIVATED") throw new InvalidStateError(`This sales unit is deactivated: ${consequence}.`);
}
