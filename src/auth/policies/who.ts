/**
 * Who is asking, as far as a policy needs to know: the principal's kind and id, and its `Access`. The GraphQL
 * context and a service `Caller` both are one, so the schema, the HTTP routes and the services ask the same policy.
 */
import type { Condition } from "../../db/conditions";
import type { Access } from "../permissions";
import type { Principal } from "../principal";

export interface Who {
  principal: Pick<Principal, "kind" | "id"> | null;
  access: Access;
}

/** Customer service. */
export const isOperator = (who: Who): boolean => who.principal?.kind === "OPERATOR";

/** A person logged in to the portal (not a partner, API key or operator). */
export const isPortalUser = (who: Who): boolean => who.principal?.kind === "USER";

/** The portal user `userId` themself. */
export const isUser = (who: Who, userId: string): boolean => who.principal?.kind === "USER" && who.principal.id === userId;

/** No row: an empty `in` on the key (Prisma reads an empty OR as "no condition"). */
export const NOTHING: Condition = { field: "id", in: [] };
