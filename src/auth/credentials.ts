/**
 * Client-credential exchange for `POST /accesstoken/get`: partner keys and merchant API keys both present
 * `client_id`, `client_secret` and `Ocp-Apim-Subscription-Key`; the answer is a bearer token.
 */
import type { PartnerScope } from "../generated/prisma/enums";
import type { Db } from "../db/client";
import { AuthenticationError, ForbiddenError } from "./errors";
import { decryptSecret, digestKey, secretsEqual, verifySecret } from "./secrets";
import type { TokenService } from "./tokens";
import { uuidOrNil } from "../domain/ids";

/** Tokens live 1 hour for TEST keys and 24 hours for production keys. */
export const TEST_TOKEN_TTL_SECONDS = 3600;
export const PRODUCTION_TOKEN_TTL_SECONDS = 86400;

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  /** A partner may ask for fewer scopes than its keys grant. */
  requestedScopes?: PartnerScope[] | null;
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

const REFUSED = "The client credentials were not accepted: check client_id, client_secret and Ocp-Apim-Subscription-Key.";

export async function exchangeClientCredentials(
  db: Db,
  tokens: TokenService,
  encryptionKey: Buffer,
  credentials: ClientCredentials,
): Promise<IssuedToken> {
  const subscriptionDigest = digestKey(credentials.subscriptionKey);
  // Both tables are always read and the cheap subscription-key check comes first, so an unknown client_id, a known
  // one with a wrong key, and a malformed one take the same time: the answer's timing tells nothing.
  const clientId = uuidOrNil(credentials.clientId);
  const [merchantKeys, partnerKey] = await Promise.all([
    db.apiKeys.findUnique({ where: { clientId }, include: { salesUnit: true } }),
    db.partnerKey.findUnique({ where: { clientId } }),
  ]);
  if (merchantKeys) {
    // Both compared, whichever matches, so the timing does not tell which key was presented.
    const [primary, secondary] = [merchantKeys.primarySubscriptionKey, merchantKeys.secondarySubscriptionKey].map((key) => secretsEqual(key, subscriptionDigest));
    if (!primary && !secondary) throw new AuthenticationError(REFUSED);
    if (!secretsEqual(decryptSecret(merchantKeys.clientSecretEncrypted, encryptionKey), credentials.clientSecret)) throw new AuthenticationError(REFUSED);
    if (merchantKeys.salesUnit.status === "DEACTIVATED") throw new AuthenticationError("The sales unit of these API keys is deactivated.");
    const ttl = merchantKeys.salesUnit.environment === "TEST" ? TEST_TOKEN_TTL_SECONDS : PRODUCTION_TOKEN_TTL_SECONDS;
    // The token remembers the generations it was issued under: a rotation of the secret or of this key ends it.
    const issuedUnder = primary
      ? { subscriptionKey: "primary" as const, secret: merchantKeys.secretGeneration, key: merchantKeys.primaryKeyGeneration }
      : { subscriptionKey: "secondary" as const, secret: merchantKeys.secretGeneration, key: merchantKeys.secondaryKeyGeneration };
    return { accessToken: await tokens.issue({ kind: "merchant_key", apiKeysId: merchantKeys.id, issuedUnder }, ttl), expiresIn: ttl };
  }

  if (!partnerKey || partnerKey.revokedAt || !secretsEqual(partnerKey.subscriptionKey, subscriptionDigest)) throw new AuthenticationError(REFUSED);
  // The only expensive step, reached only by a caller who holds the key's subscription key.
  if (!(await verifySecret(credentials.clientSecret, partnerKey.clientSecretHash))) throw new AuthenticationError(REFUSED);
  const requested = credentials.requestedScopes;
  // A token without the asked-for rights would only fail later, further from the cause: refuse it here, by name.
  const notGranted = requested?.filter((scope) => !partnerKey.scopes.includes(scope)) ?? [];
  if (notGranted.length > 0) {
    throw new ForbiddenError(
      `This key was not granted the scope${notGranted.length > 1 ? "s" : ""} ${notGranted.join(", ")}. Ask for scopes among ${partnerKey.scopes.join(", ") || "(none)"}, or send no scope header for all of them.`,
    );
  }
  const scopes = requested ? partnerKey.scopes.filter((scope) => requested.includes(scope)) : partnerKey.scopes;
  const ttl = PRODUCTION_TOKEN_TTL_SECONDS;
  return { accessToken: await tokens.issue({ kind: "partner", partnerKeyId: partnerKey.id, scopes }, ttl), expiresIn: ttl };
}
