/**
 * Which network addresses a webhook may reach. Outside development a delivery must not reach the gateway's own
 * network: loopback, private, link-local, unique-local, CGNAT and other special-purpose ranges are refused, for the
 * literal address in the URL and for every address a host name resolves to (docs/webhooks.md). Node's BlockList
 * does the range arithmetic, including IPv4-mapped IPv6 addresses.
 */
import { BlockList, isIP } from "node:net";

const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata services live here)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and the broadcast address
] as const) {
  BLOCKED.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b::", 96], // NAT64: the IPv4 inside may be private
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // old site-local
  ["ff00::", 8], // multicast
] as const) {
  BLOCKED.addSubnet(network, prefix, "ipv6");
}

/** Loopback only: what development may reach when private networks are otherwise refused. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** Strips the brackets a URL puts around an IPv6 literal. */
function bare(address: string): string {
  return address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
}

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 address it carries. */
function family(address: string): { address: string; type: "ipv4" | "ipv6" } | null {
  const plain = bare(address);
  const version = isIP(plain);
  if (version === 0) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return { address: mapped[1]!, type: "ipv4" };
  return { address: plain, type: version === 4 ? "ipv4" : "ipv6" };
}

export function isIpLiteral(host: string): boolean {
  return family(host) !== null;
}

/** Is this address in a range a webhook must not reach (outside development)? Non-addresses are refused too. */
export function isForbiddenAddress(address: string): boolean {
  const parsed = family(address);
  if (!parsed) return true;
  return BLOCKED.check(parsed.address, parsed.type);
}

export function isLoopbackAddress(address: string): boolean {
  const parsed = family(address);
  return parsed !== null && LOOPBACK.check(parsed.address, parsed.type);
}

export interface AddressRules {
  /** Development and tests: private, loopback and the other special ranges may be reached. */
  allowPrivateNetwork: boolean;
}

/** Why a delivery may not connect to `address`, or null when it may. */
export function refusalOf(address: string, rules: AddressRules): string | null {
  if (rules.allowPrivateNetwork) return null;
  if (!isForbiddenAddress(address)) return null;
  return `${bare(address)} is a private, loopback, link-local or otherwise reserved address: webhooks go to public addresses only.`;
}
