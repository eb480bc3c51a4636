/**
 * Bearer tokens in and out (jose). Our own tokens are ES256 JWTs with issuer, audience, expiry and a `kind`
 * claim; an external eID broker's tokens are accepted when AUTH_JWKS_URL is configured. jose refuses
 * `alg: none`, tampered signatures, expired and not-yet-valid tokens; we pin algorithms and required claims.
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from "jose";
import type { LoginMethod, PartnerScope } from "../generated/prisma/enums";
import type { Config } from "../config";
import { SIGNING_ALGORITHM, type SigningKeys } from "./keys";
import { AuthenticationError } from "./errors";

export type TokenSubject =
  | { kind: "user"; userId: string; method: LoginMethod }
  | { kind: "external_user"; nin: string; method: LoginMethod }
  | { kind: "partner"; partnerKeyId: string; scopes: PartnerScope[] }
  | { kind: "merchant_key"; apiKeysId: string; issuedUnder: ApiKeyGenerations }
  | { kind: "operator"; operatorId: string };

/** `issuedAt` is when the person (or client) logged in: a user takes up the accesses that existed then. */
export type VerifiedToken = TokenSubject & { expiresAt: Date; issuedAt: Date };

/**
 * What a merchant API key token was issued under: which subscription key was presented, and how many times the
 * client secret and that key had been rotated then. Rotating either part ends the token; rotating the other
 * subscription key does not (a rotation keeps one key working). A token from before generations were recorded
 * names no key and is read as issued under generation 0 of every part.
 */
export interface ApiKeyGenerations {
  subscriptionKey: "primary" | "secondary" | null;
  secret: number;
  key: number;
}

const LOGIN_METHODS: readonly string[] = ["BANKID_NO", "BANKID_SE", "MITID", "FTN", "PASSWORD"];
const PARTNER_SCOPES: readonly string[] = ["SALES_UNITS_READ", "TRANSACTIONS_READ", "PAYMENTS_WRITE", "TRANSACTIONS_MANAGE", "PERSONAL_DATA_READ"];
const CLOCK_TOLERANCE_SECONDS = 5;
const VERIFIED_TOKENS_KEPT = 10_000;

export class TokenService {
  private readonly external;

  constructor(
    private readonly keys: SigningKeys,
    private readonly config: Pick<Config, "tokenIssuer" | "tokenAudience" | "externalAuth">,
  ) {
    this.external = config.externalAuth
      ? { ...config.externalAuth, keySet: createRemoteJWKSet(new URL(config.externalAuth.jwksUrl)) }
      : null;
  }

  get jwks() {
    return this.keys.jwks;
  }

  async issue(subject: Exclude<TokenSubject, { kind: "external_user" }>, ttlSeconds: number): Promise<string> {
    const { sub, claims } = encodeSubject(subject);
    return new SignJWT({ ...claims, kind: subject.kind })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: this.keys.current.kid, typ: "JWT" })
      .setSubject(sub)
      .setIssuer(this.config.tokenIssuer)
      .setAudience(this.config.tokenAudience)
      .setIssuedAt()
      .setNotBefore("0s")
      .setExpirationTime(`${ttlSeconds}s`)
      .setJti(crypto.randomUUID())
      .sign(this.keys.current.privateKey);
  }

  /**
   * Tokens that verified, until they expire: a signature check costs more than the rest of a cached request, and a
   * token's verdict cannot change while the keys stay (revocation is checked with the principal, not here).
   */
  private readonly verified = new Map<string, VerifiedToken>();

  /** Verifies a bearer token and returns who it speaks for; throws AuthenticationError otherwise. */
  async verify(token: string): Promise<VerifiedToken> {
    const known = this.verified.get(token);
    if (known && known.expiresAt.getTime() > Date.now()) return known;
    const verified = await this.verifyUncached(token);
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, verified);
    return verified;
  }

  private async verifyUncached(token: string): Promise<VerifiedToken> {
    let issuer: unknown;
    try {
      decodeProtectedHeader(token);
      issuer = decodeJwt(token).iss;
    } catch {
      throw new AuthenticationError("The bearer token is not a JWT.");
    }
    try {
      if (issuer === this.config.tokenIssuer) return await this.verifyOwn(token);
      if (this.external && issuer === (this.external.issuer ?? issuer)) return await this.verifyExternal(token);
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      throw new AuthenticationError(`The bearer token was refused: ${describeJoseError(error)}.`);
    }
    throw new AuthenticationError("The bearer token was refused: unknown issuer.");
  }

  private async verifyOwn(token: string): Promise<VerifiedToken> {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? this.keys.publicKeys.get(header.kid) : undefined;
        if (!key) throw new AuthenticationError("The bearer token was refused: unknown signing key.");
        return key;
      },
      {
        issuer: this.config.tokenIssuer,
        audience: this.config.tokenAudience,
        algorithms: [SIGNING_ALGORITHM],
        requiredClaims: ["sub", "exp", "iat", "nbf", "kind"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      },
    );
    return { ...decodeSubject(payload), expiresAt: new Date((payload.exp ?? 0) * 1000), issuedAt: new Date((payload.iat ?? 0) * 1000) };
  }

  /** An external eID broker's token names the person by `nin` and the login method by `amr`. */
  private async verifyExternal(token: string): Promise<VerifiedToken> {
    const external = this.external!;
    const { payload } = await jwtVerify(token, external.keySet, {
      ...(external.issuer ? { issuer: external.issuer } : {}),
      ...(external.audience ? { audience: external.audience } : {}),
      algorithms: ["RS256", "PS256", "ES256", "EdDSA"],
      requiredClaims: ["sub", "exp", "iat"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    const method = Array.isArray(payload.amr) ? payload.amr[0] : undefined;
    if (typeof payload.nin !== "string" || typeof method !== "string" || !LOGIN_METHODS.includes(method)) {
      throw new AuthenticationError("The bearer token was refused: it must name the person (nin) and a login method (amr).");
    }
    return {
      kind: "external_user",
      nin: payload.nin,
      method: method as LoginMethod,
      expiresAt: new Date((payload.exp ?? 0) * 1000),
      issuedAt: new Date((payload.iat ?? 0) * 1000),
    };
  }
}

function encodeSubject(subject: Exclude<TokenSubject, { kind: "external_user" }>): { sub: string; claims: JWTPayload } {
  switch (subject.kind) {
    case "user":
      return { sub: subject.userId, claims: { amr: [subject.method] } };
    case "partner":
      return { sub: subject.partnerKeyId, claims: { scope: subject.scopes.join(" ") } };
    case "merchant_key":
      return { sub: subject.apiKeysId, claims: { skey: subject.issuedUnder.subscriptionKey, kgen: [subject.issuedUnder.secret, subject.issuedUnder.key] } };
    case "operator":
      return { sub: subject.operatorId, claims: {} };
  }
}

function decodeSubject(payload: JWTPayload): TokenSubject {
  const sub = payload.sub!;
  switch (payload.kind) {
    case "user": {
      const method = Array.isArray(payload.amr) ? payload.amr[0] : undefined;
      if (typeof method !== "string" || !LOGIN_METHODS.includes(method)) break;
      return { kind: "user", userId: sub, method: method as LoginMethod };
    }
    case "partner": {
      const scopes = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : [];
      if (!scopes.every((scope) => PARTNER_SCOPES.includes(scope))) break;
      return { kind: "partner", partnerKeyId: sub, scopes: scopes as PartnerScope[] };
    }
    case "merchant_key": {
      const { skey, kgen } = payload;
      if (skey === undefined && kgen === undefined) return { kind: "merchant_key", apiKeysId: sub, issuedUnder: { subscriptionKey: null, secret: 0, key: 0 } };
      if ((skey !== "primary" && skey !== "secondary") || !Array.isArray(kgen) || kgen.length !== 2 || !kgen.every((n) => Number.isSafeInteger(n) && n >= 0)) break;
      return { kind: "merchant_key", apiKeysId: sub, issuedUnder: { subscriptionKey: skey, secret: kgen[0] as number, key: kgen[1] as number } };
    }
    case "operator":
      return { kind: "operator", operatorId: sub };
  }
  throw new AuthenticationError("The bearer token was refused: its claims are not ones this gateway issues.");
}

function describeJoseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return "it has expired, log in again";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return `claim check failed (${(error as { claim?: string }).claim ?? "unknown"})`;
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return "the signature does not verify";
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JOSE_NOT_SUPPORTED":
      return "the signing algorithm is not accepted";
    default:
      return "it is malformed or not valid";
  }
}

/** Extracts the token from an `Authorization: Bearer …` value. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AuthenticationError("The Authorization header must be `Bearer <token>`.");
  return match[1]!;
}
