/**
 * Rows that belong to one sales unit and are readable with one action there: QR codes, payment links, settlements,
 * recurring requests. Each policy names its action once; the check, the row filter and the schema's scopes derive
 * from it.
 */
import type { Action, Access } from "../permissions";

export interface UnitChildPolicy {
  /** The action on the row's sales unit that reads (and, for QR codes and payment links, manages) the row. */
  action: Action;
  /** May the caller see rows of this sales unit? */
  can(access: Access, unit: { id: string; merchantId: string }): boolean;
  /** Prisma filter on the row's `salesUnit` relation: the rows `can` allows. */
  unitWhere(access: Access): Record<string, unknown>;
}

export function unitChildPolicy(action: Action): UnitChildPolicy {
  return {
    action,
    can: (access, unit) => access.canOnSalesUnit(action, unit),
    unitWhere: (access) => access.salesUnitWhere(action),
  };
}
