/** The key address budgets count under: an IPv4 address, or an IPv6 /64, however the address is written. */
import { expect, it } from "vitest";
import { addressKey } from "../../src/limits/plugin";

it("counts an IPv4 address as itself, also written IPv4-mapped", () => {
  expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
  expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
});

it("counts every address of an IPv6 /64 as one, however it is written", () => {
  const one = addressKey("2001:db8:1:2:aaaa::1");
  expect(one).toBe("2001:db8:1:2::/64");
  expect(addressKey("2001:0db8:0001:0002:ffff:ffff:ffff:fffe")).toBe(one);
  expect(addressKey("2001:db8:1:3::1")).not.toBe(one);
  expect(addressKey("::1")).toBe("0:0:0:0::/64");
});

it("leaves what is not an address as it is", () => {
  expect(addressKey("unknown")).toBe("unknown");
});
