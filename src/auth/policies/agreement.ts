/** Merchant agreements (applications to become a merchant): the applicant's own, and every one for customer service. */
import { EVERYTHING, type Condition } from "../../db/conditions";
import { isOperator, isUser, NOTHING, type Who } from "./who";

export function canSeeAgreement(who: Who, agreement: { applicantId: string }): boolean {
  return isOperator(who) || isUser(who, agreement.applicantId);
}

/** The MerchantAgreement rows `canSeeAgreement` allows. */
export function visibleAgreements(who: Who): Condition {
  if (isOperator(who)) return EVERYTHING;
  if (who.principal?.kind === "USER") return { field: "applicantId", eq: who.principal.id };
  return NOTHING;
}

/** May the caller change or submit the agreement: only its applicant. `applicantId` null: no such agreement. */
export function ownsAgreement(who: Who, applicantId: string | null): boolean {
  return applicantId !== null && isUser(who, applicantId);
}
