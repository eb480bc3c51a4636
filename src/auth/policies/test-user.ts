/**
 * Test-environment customers are developer tooling of a merchant: whoever holds DEVELOPER in the merchant (on any of
 * its sales units) sees and generates them. The schema asks it through the `merchant` scope with this action.
 */
import { EVERYTHING, type Condition } from "../../db/conditions";
import type { Action } from "../permissions";
import type { Who } from "./who";

export const TEST_USER_ACTION: Action = "DEVELOPER";

/** The TestUser rows the `merchant` scope with TEST_USER_ACTION allows. */
export function visibleTestUsers(who: Who): Condition {
  const merchantIds = who.access.merchantIds(TEST_USER_ACTION);
  return merchantIds === "*" ? EVERYTHING : { field: "merchantId", in: merchantIds };
}
