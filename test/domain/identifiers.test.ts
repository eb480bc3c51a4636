import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/errors";
import {
  isValidMsn,
  maskAccountNumber,
  NAME_LIMITS,
  validateDescription,
  validateEmail,
  validateIdempotencyKey,
  validateMsn,
  validateName,
  validateOrganizationNumber,
  validateReason,
  validateReference,
  validateSettlementAccount,
} from "../../src/domain/identifiers";

function fieldOf(run: () => unknown): string | null {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("merchant serial numbers", () => {
  it("accepts five or six digits only", () => {
    expect(["12345", "123456"].map(isValidMsn)).toEqual([true, true]);
    expect(["1234", "1234567", "12a45", " 12345"].map(isValidMsn)).toEqual([false, false, false, false]);
    expect(fieldOf(() => validateMsn("1234"))).toBe("msn");
  });
});

describe("order references and idempotency keys", () => {
  it("accepts references of 8 to 50 letters, digits and dashes, unchanged", () => {
    expect(validateReference("order-2025-0001")).toBe("order-2025-0001");
    expect(validateReference("a".repeat(50))).toHaveLength(50);
  });

  it("refuses references that are too short, too long or contain other characters", () => {
    for (const reference of ["order-1", "a".repeat(51), "order_2025_0001", "ordre-æøå-0001", " order-2025-0001"]) {
      expect(fieldOf(() => validateReference(reference))).toBe("reference");
    }
  });

  it("accepts idempotency keys of 1 to 50 letters, digits and dashes", () => {
    expect(validateIdempotencyKey("1")).toBe("1");
    expect(validateIdempotencyKey("3f0c8d4e-6c1a-4b9e-9a51-2b7d9d1c0e11")).toHaveLength(36);
    for (const key of ["", "k".repeat(51), "key with spaces"]) {
      expect(fieldOf(() => validateIdempotencyKey(key))).toBe("idempotencyKey");
    }
  });
});

describe("organisation numbers", () => {
  it("accepts a Norwegian organisation number with a valid mod-11 check digit, ignoring spaces", () => {
    expect(validateOrganizationNumber("NO", "923 609 016")).toBe("923609016");
  });

  it("refuses a Norwegian organisation number with a wrong check digit", () => {
    expect(fieldOf(() => validateOrganizationNumber("NO", "923609017"))).toBe("organizationNumber");
    expect(() => validateOrganizationNumber("NO", "92360901")).toThrow(ValidationError);
  });

  it("refuses all zeros, whose check digit adds up but which is no one's number", () => {
    expect(() => validateOrganizationNumber("NO", "000000000")).toThrow(ValidationError);
    expect(() => validateOrganizationNumber("FI", "0000000-0")).toThrow(ValidationError);
    expect(() => validateSettlementAccount("NO", "0000.00.00000")).toThrow(ValidationError);
  });

  it("accepts a Danish CVR number of 8 digits with its modulus-11 check digit, and nothing else", () => {
    expect(validateOrganizationNumber("DK", "1358 5628")).toBe("13585628");
    expect(validateOrganizationNumber("DK", "38742159")).toBe("38742159");
    expect(() => validateOrganizationNumber("DK", "13585627")).toThrow(ValidationError);
    expect(() => validateOrganizationNumber("DK", "12345678")).toThrow(ValidationError);
    expect(() => validateOrganizationNumber("DK", "00000000")).toThrow(ValidationError);
    expect(() => validateOrganizationNumber("DK", "2512345")).toThrow(ValidationError);
  });

  it("accepts a Finnish business ID with its check digit and pads old six-digit ones", () => {
    expect(validateOrganizationNumber("FI", "0112038-9")).toBe("0112038-9");
    expect(validateOrganizationNumber("FI", "112038-9")).toBe("0112038-9");
    expect(() => validateOrganizationNumber("FI", "0112038-8")).toThrow(ValidationError);
    expect(() => validateOrganizationNumber("FI", "01120389")).toThrow(ValidationError);
  });

  it("refuses Swedish organisations, which cannot be merchants", () => {
    expect(fieldOf(() => validateOrganizationNumber("SE", "5560360793"))).toBe("country");
  });
});

describe("names and descriptions", () => {
  it("trims a name and counts characters, not bytes", () => {
    expect(validateName("  Kafé Ø  ", "name", 1, 6)).toBe("Kafé Ø");
  });

  it("refuses an empty or too long merchant name", () => {
    const { min, max } = NAME_LIMITS.merchant;
    expect(() => validateName("   ", "merchantName", min, max)).toThrow("The name cannot be empty: enter a name.");
    expect(validateName("x".repeat(50), "merchantName", min, max)).toHaveLength(50);
    expect(fieldOf(() => validateName("x".repeat(51), "merchantName", min, max))).toBe("merchantName");
  });

  it("allows QR code names up to 128 characters", () => {
    const { min, max } = NAME_LIMITS.qrCode;
    expect(validateName("q".repeat(128), "name", min, max)).toHaveLength(128);
    expect(() => validateName("q".repeat(129), "name", min, max)).toThrow(/at most 128/);
  });

  it("refuses line breaks in a name, the Unicode line and paragraph separators too", () => {
    expect(() => validateName("Fjord\nkaffe", "name", 1, 50)).toThrow(/one line/);
    expect(() => validateName("Fjord\u2028kaffe", "name", 1, 50)).toThrow(/one line/);
    expect(() => validateName("Fjord\u2029kaffe", "name", 1, 50)).toThrow(/one line/);
  });

  it("wants a payment description of 3 to 100 characters", () => {
    expect(validateDescription(" Kaffe ")).toBe("Kaffe");
    expect(fieldOf(() => validateDescription("Te"))).toBe("description");
    expect(() => validateDescription("d".repeat(101))).toThrow(/at most 100/);
  });

  it("wants a rejection reason of 3 to 500 characters", () => {
    expect(validateReason(" Mangler dokumentasjon ")).toBe("Mangler dokumentasjon");
    expect(fieldOf(() => validateReason("no"))).toBe("reason");
    expect(validateReason("r".repeat(500))).toHaveLength(500);
    expect(() => validateReason("r".repeat(501))).toThrow(/at most 500/);
  });
});

describe("settlement accounts", () => {
  it("accepts a Norwegian account number with a valid mod-11 check digit, written with dots", () => {
    expect(validateSettlementAccount("NO", "1234.56.78903")).toBe("12345678903");
  });

  it("refuses a Norwegian account number with a wrong check digit", () => {
    expect(fieldOf(() => validateSettlementAccount("NO", "12345678904"))).toBe("settlementAccount");
  });

  it("stores a Danish account as registration number and a 10-digit account number", () => {
    expect(validateSettlementAccount("DK", "1234-1234567")).toBe("1234-0001234567");
    expect(validateSettlementAccount("DK", "1234 0001234567")).toBe("1234-0001234567");
    expect(validateSettlementAccount("DK", "12340001234567")).toBe("1234-0001234567");
  });

  it("refuses a Danish account without a registration number or with too many digits", () => {
    expect(() => validateSettlementAccount("DK", "123")).toThrow(ValidationError);
    expect(() => validateSettlementAccount("DK", "1234-12345678901")).toThrow(ValidationError);
    expect(() => validateSettlementAccount("DK", "1234-0000000000")).toThrow(ValidationError);
  });

  it("accepts a Finnish IBAN with valid check digits and stores it compact", () => {
    expect(validateSettlementAccount("FI", "fi21 1234 5600 0007 85")).toBe("FI2112345600000785");
  });

  it("refuses a Finnish IBAN with wrong check digits or another country's IBAN", () => {
    expect(() => validateSettlementAccount("FI", "FI21 1234 5600 0007 86")).toThrow(/check digits/);
    expect(() => validateSettlementAccount("FI", "NO93 8601 1117 947")).toThrow(ValidationError);
  });

  it("shows only the last four characters of a masked account", () => {
    expect(maskAccountNumber("12345678903")).toBe("•••••••8903");
    expect(maskAccountNumber("FI2112345600000785")).toBe("••••••••••••••0785");
    expect(maskAccountNumber("123")).toBe("•••");
  });
});

describe("e-mail addresses", () => {
  it("accepts ordinary addresses and lower-cases the domain only", () => {
    expect(validateEmail(" Kari.Nordmann+rapport@Example.NO ")).toBe("Kari.Nordmann+rapport@example.no");
    expect(validateEmail("ola@sub.domain.fi")).toBe("ola@sub.domain.fi");
    expect(validateEmail("post@blåbær.no")).toBe("post@blåbær.no");
  });

  it("refuses addresses without a domain, with double dots or spaces", () => {
    for (const email of [
      "kari",
      "kari@",
      "@example.no",
      "kari@example",
      "kari..n@example.no",
      "kari n@example.no",
      "kari@-example.no",
      "kari@example.n",
    ]) {
      expect(fieldOf(() => validateEmail(email))).toBe("email");
    }
  });
});
