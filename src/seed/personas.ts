/**
 * Seed personas (docs/public-contract.md#personas): who the demo lets you be. The file is the demo's only copy of the partner's
 * credentials, so it is written once, next to the data it describes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Country, LoginMethod, PartnerScope, Permission, Role } from "../generated/prisma/enums";

export interface PersonaMembership {
  merchant: string;
  /** Relay global id of the merchant. */
  merchantId: string;
  role: Role;
  permissions: Permission[];
  /** MSNs this membership gives access to. */
  salesUnits: string[];
}

export interface Persona {
  key: string;
  description: string;
  name: string;
  country: Country | null;
  nin: string | null;
  method: LoginMethod | null;
  /** The (first) merchant's name; null for the applicant, partners and the operator. */
  merchant: string | null;
  /** Relay global id (`encodeGlobalID("Merchant", uuid)`) of `merchant`. */
  merchantId: string | null;
  role: Role | null;
  permissions: Permission[];
  /** MSNs it may access, over all its memberships: all of the merchant's for an Administrator, the assigned ones otherwise, the linked ones for a partner. */
  salesUnits: string[];
  /** Portal users: every membership (two for the `two-merchants` persona). */
  memberships?: PersonaMembership[];
  email?: string;
  phoneNumber?: string;
  operator?: true;
  /** Partners: client credentials in clear, to call `POST /accesstoken/get`. */
  clientId?: string;
  clientSecret?: string;
  subscriptionKey?: string;
  scopes?: PartnerScope[];
  /** People of the population register who are not portal users yet: to try `addUser` with; they cannot log in. */
  addable?: true;
}

export async function writePersonas(path: string, personas: Persona[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(personas, null, 2)}\n`, { encoding: "utf8", mode: 0o600 });
}

const ROLE_LABEL: Record<Role, string> = {
  ADMINISTRATOR: "Administrator",
  SALES_UNIT_MANAGER: "Sales Unit Manager",
  ASSISTANT: "Assistant",
};

const PERMISSION_LABEL: Record<Permission, string> = {
  TRANSACTION_MANAGEMENT: "Transaction Management",
  DEVELOPER: "Developer",
};

/** "Sales Unit Manager with Transaction Management at Fjordkaffe AS (Fjordkaffe Bryggen, Fjordkaffe Torgallmenningen)". */
export function describeMembership(membership: { role: Role; permissions: Permission[]; merchant: string }, unitNames: string[]): string {
  const permissions = membership.permissions.map((permission) => PERMISSION_LABEL[permission]);
  const withPermissions = permissions.length > 0 ? ` with ${permissions.join(" and ")}` : "";
  const units = membership.role === "ADMINISTRATOR" ? "" : ` (${unitNames.join(", ")})`;
  return `${ROLE_LABEL[membership.role]}${withPermissions} at ${membership.merchant}${units}`;
}
