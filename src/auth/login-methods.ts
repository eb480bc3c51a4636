import type { Country, LoginMethod } from "../generated/prisma/enums";

/** Which eID or password login a person from each country may use (docs/permissions.md#login-methods-per-country). */
export const LOGIN_METHODS_BY_COUNTRY: Record<Country, readonly LoginMethod[]> = {
  NO: ["BANKID_NO"],
  DK: ["MITID", "PASSWORD"],
  FI: ["FTN", "PASSWORD"],
  SE: ["BANKID_SE"],
};

export function isLoginMethodAllowed(country: Country, method: LoginMethod): boolean {
  return LOGIN_METHODS_BY_COUNTRY[country].includes(method);
}
