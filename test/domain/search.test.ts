import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/errors";
import { likeLiteral, searchTerm, SEARCH_MAX_LENGTH } from "../../src/domain/search";

describe("searchTerm", () => {
  it("trims the term and treats an empty one as no search", () => {
    expect(searchTerm("  kaffe ")).toBe("kaffe");
    expect(searchTerm("   ")).toBeNull();
    expect(searchTerm(null)).toBeNull();
  });

  it("counts characters, not UTF-16 units, against the bound", () => {
    expect(searchTerm("ø".repeat(SEARCH_MAX_LENGTH))).toHaveLength(SEARCH_MAX_LENGTH);
    expect(searchTerm("😀".repeat(SEARCH_MAX_LENGTH))).not.toBeNull();
    expect(() => searchTerm("a".repeat(SEARCH_MAX_LENGTH + 1))).toThrow(ValidationError);
  });

  it("refuses NUL and other control characters", () => {
    expect(() => searchTerm("kaffe\u0000")).toThrow(ValidationError);
    expect(() => searchTerm("kaffe\nte")).toThrow(ValidationError);
  });
});

describe("likeLiteral", () => {
  it("escapes LIKE's wildcards and the escape character itself", () => {
    expect(likeLiteral("50%_off\\")).toBe("50\\%\\_off\\\\");
    expect(likeLiteral("Fjordkaffe")).toBe("Fjordkaffe");
  });
});
