/** Markets of the portal. SE has users but no merchants, so money and settlement rules take `MerchantCountry`. */
export type Country = "NO" | "DK" | "FI" | "SE";

export type MerchantCountry = Exclude<Country, "SE">;

export type Currency = "NOK" | "DKK" | "EUR";

/** Random source in [0, 1), like `Math.random`; the seed passes a seeded one so demo data is reproducible. */
export type Rng = () => number;
