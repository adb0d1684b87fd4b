// IP addresses, for guards against server-side request forgery: what an address is (loopback, private, …, public)
// and ranges of addresses. Parsing and matching are Node's: net.isIP (dotted decimal IPv4 only, no octal or hex
// forms; IPv6 with an IPv4 tail), and net.BlockList, in which an IPv4 rule matches the IPv4-mapped IPv6 form of an
// address and an IPv6 rule an IPv4 address as that form. What is written here is the policy: which ranges are
// special (the IANA special-purpose registries), and that an IPv6 address carrying an IPv4 one (mapped, NAT64,
// 6to4, IPv4-compatible) is what that IPv4 address is.
import { BlockList, isIP } from 'node:net';

/** What an IP address is, for an SSRF guard: only `public` addresses are reachable without being allowed. */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'unique-local' | 'multicast' | 'unspecified' | 'reserved';

type Family = 'ipv4' | 'ipv6';

/** An IP address as net.BlockList takes it: the text without brackets or an IPv6 zone, and its family. */
interface Address {
  address: string;
  family: Family;
}

/** '10.1.2.3', '[::1]', 'fe80::1%eth0' (brackets and a zone are dropped); null when the text is not an IP address. */
function parseAddress(text: string): Address | null {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const version = isIP(bare);
  return version === 0 ? null : { address: bare, family: version === 4 ? 'ipv4' : 'ipv6' };
}

const V4_SPECIAL: Array<[string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'], // "this network": connecting to 0.0.0.0 reaches the local host
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT: shared space, never a public endpoint
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes the cloud metadata service, 169.254.169.254
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // and the broadcast address
];

const V6_SPECIAL: Array<[string, number, AddressClass]> = [
  ['64:ff9b:1::', 48, 'private'], // local-use NAT64
  ['100::', 64, 'reserved'], // discard-only
  ['2001::', 32, 'reserved'], // Teredo: the IPv4 end is hidden in the address
  ['2001:10::', 28, 'reserved'],
  ['2001:20::', 28, 'reserved'],
  ['2001:db8::', 32, 'reserved'], // documentation
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'], // site-local, deprecated but still routed inside some networks
  ['ff00::', 8, 'multicast'],
];

const hex = (high: number, low: number) => ((high << 8) | low).toString(16);

/**
 * IPv6 forms that carry an IPv4 address, which decides what they reach: where the address sits (`bits` in), and
 * the IPv6 network an IPv4 network becomes in the form.
 */
const EMBEDDINGS: Array<{ prefix: string; bits: number; embed: (octets: number[]) => string }> = [
  { prefix: '::ffff:0:0', bits: 96, embed: (o) => `::ffff:${o.join('.')}` }, // IPv4-mapped
  { prefix: '64:ff9b::', bits: 96, embed: (o) => `64:ff9b::${o.join('.')}` }, // NAT64
  { prefix: '2002::', bits: 16, embed: (o) => `2002:${hex(o[0], o[1])}:${hex(o[2], o[3])}::` }, // 6to4
  { prefix: '::', bits: 96, embed: (o) => `::${o.join('.')}` }, // IPv4-compatible (deprecated)
];

function listOf(byClass: Map<AddressClass, BlockList>, cls: AddressClass): BlockList {
  let list = byClass.get(cls);
  if (!list) byClass.set(cls, (list = new BlockList()));
  return list;
}

/** By class: the special IPv4 networks, and each as every IPv6 form that carries it. */
const BY_V4 = new Map<AddressClass, BlockList>();
for (const [network, bits, cls] of V4_SPECIAL) {
  const list = listOf(BY_V4, cls);
  list.addSubnet(network, bits, 'ipv4');
  const octets = network.split('.').map(Number);
  for (const e of EMBEDDINGS) list.addSubnet(e.embed(octets), e.bits + bits, 'ipv6');
}
const BY_V6 = new Map<AddressClass, BlockList>();
for (const [network, bits, cls] of V6_SPECIAL) listOf(BY_V6, cls).addSubnet(network, bits, 'ipv6');

const EMBEDDING = new BlockList();
for (const e of EMBEDDINGS) EMBEDDING.addSubnet(e.prefix, e.bits, 'ipv6');
const UNSPECIFIED = new BlockList();
UNSPECIFIED.addAddress('::', 'ipv6');
const LOOPBACK = new BlockList();
LOOPBACK.addAddress('::1', 'ipv6');
/** Only 2000::/3 is allocated as global unicast; the rest of the IPv6 space is reserved. */
const GLOBAL_UNICAST = new BlockList();
GLOBAL_UNICAST.addSubnet('2000::', 3, 'ipv6');

function firstMatch(byClass: Map<AddressClass, BlockList>, { address, family }: Address): AddressClass | null {
  for (const [cls, list] of byClass) if (list.check(address, family)) return cls;
  return null;
}

function classify(a: Address): AddressClass {
  if (a.family === 'ipv6') {
    // Before the IPv4-compatible form (::/96), which holds them too.
    if (UNSPECIFIED.check(a.address, 'ipv6')) return 'unspecified';
    if (LOOPBACK.check(a.address, 'ipv6')) return 'loopback';
    if (!EMBEDDING.check(a.address, 'ipv6')) {
      return firstMatch(BY_V6, a) ?? (GLOBAL_UNICAST.check(a.address, 'ipv6') ? 'public' : 'reserved');
    }
  }
  return firstMatch(BY_V4, a) ?? 'public';
}

/**
 * classifyAddress('10.1.2.3') === 'private', classifyAddress('::ffff:127.0.0.1') === 'loopback',
 * classifyAddress('93.184.216.34') === 'public'; null when the text is not an IP address.
 */
export function classifyAddress(text: string): AddressClass | null {
  const address = parseAddress(text);
  return address ? classify(address) : null;
}

/** What a class is, in a sentence: describeClass('loopback') === 'a loopback address'. */
export function describeClass(cls: Exclude<AddressClass, 'public'>): string {
  return DESCRIBED[cls];
}

const DESCRIBED: Record<Exclude<AddressClass, 'public'>, string> = {
  private: 'a private address',
  loopback: 'a loopback address',
  'link-local': 'a link-local address',
  'unique-local': 'a unique-local address',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  reserved: 'a reserved (special-purpose) address',
};

// ---- ranges ----

/** An address range: the first `prefix` bits of `address`. An IPv4 range holds the IPv4-mapped forms of its addresses too. */
export interface AddressRange {
  address: string;
  family: Family;
  prefix: number;
}

/** '10.0.0.0/8', 'fd00::/8', '127.0.0.1' (a /32), '[::1]' (a /128); null when the text is none of these. */
export function parseRange(text: string): AddressRange | null {
  const slash = text.lastIndexOf('/');
  const address = parseAddress(slash >= 0 ? text.slice(0, slash) : text);
  if (!address) return null;
  const width = address.family === 'ipv4' ? 32 : 128;
  let prefix = width;
  if (slash >= 0) {
    const suffix = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(suffix) || Number(suffix) > width) return null;
    prefix = Number(suffix);
  }
  return { ...address, prefix };
}

/** Ranges matched as one: new AddressRanges([parseRange('10.0.0.0/8')!]).contains('::ffff:10.1.1.1') === true. */
export class AddressRanges {
  private readonly list = new BlockList();

  constructor(readonly ranges: readonly AddressRange[]) {
    for (const r of ranges) this.list.addSubnet(r.address, r.prefix, r.family);
  }

  /** False when `address` is not an IP address. */
  contains(address: string): boolean {
    const parsed = parseAddress(address);
    return parsed !== null && this.list.check(parsed.address, parsed.family);
  }
}

export function rangeContains(range: AddressRange, address: string): boolean {
  return new AddressRanges([range]).contains(address);
}
