/**
 * Partners are a public directory for every authenticated caller (merchants pick one when ordering a POS
 * integration); their keys are customer service's alone.
 */
import { EVERYTHING, type Condition } from "../../db/conditions";
import { isOperator, NOTHING, type Who } from "./who";

export function canSeePartnerKey(who: Who): boolean {
  return isOperator(who);
}

/** The PartnerKey rows `canSeePartnerKey` allows. */
export function visiblePartnerKeys(who: Who): Condition {
  return isOperator(who) ? EVERYTHING : NOTHING;
}
