import { classifyAddress, parseRange, rangeContains } from '../../src/common/address';

// The SSRF guard's classifier (src/common/address.ts): moved here from webhook.rules.test.ts with it, unchanged.
describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['172.32.0.1', 'public'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
  ])('IPv4 %s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each([
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:80b::200e', 'public'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378::1', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    // IPv4 inside IPv6: what the embedded address reaches decides.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::FFFF:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['2002:a00:1::', 'private'],
    ['2002:808:808::1', 'public'],
  ])('IPv6 %s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each([
    'localhost',
    'example.com',
    '1.2.3',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.4.5',
    '1::2::3',
    '::g',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8:9',
    '',
  ])('%j is not an address', (text) => {
    expect(classifyAddress(text)).toBeNull();
  });
});

describe('address ranges', () => {
  it('match by prefix, IPv4 ranges matching IPv4-mapped IPv6 addresses too', () => {
    const ten = parseRange('10.0.0.0/8')!;
    expect(rangeContains(ten, '10.255.0.1')).toBe(true);
    expect(rangeContains(ten, '::ffff:10.1.1.1')).toBe(true);
    expect(rangeContains(ten, '11.0.0.1')).toBe(false);
    const cgnat = parseRange('100.64.0.0/10')!;
    expect(rangeContains(cgnat, '100.127.255.255')).toBe(true);
    expect(rangeContains(cgnat, '100.128.0.0')).toBe(false);
    const host = parseRange('127.0.0.1')!;
    expect(rangeContains(host, '127.0.0.1')).toBe(true);
    expect(rangeContains(host, '127.0.0.2')).toBe(false);
    const ula = parseRange('fd00::/8')!;
    expect(rangeContains(ula, 'fd12:3456::1')).toBe(true);
    expect(rangeContains(ula, 'fe80::1')).toBe(false);
    expect(rangeContains(parseRange('[::1]')!, '::1')).toBe(true);
    expect(rangeContains(parseRange('::/0')!, '8.8.8.8')).toBe(true);
    expect(rangeContains(parseRange('0.0.0.0/0')!, '2606:4700::1')).toBe(false);
    expect(rangeContains(ten, 'not an address')).toBe(false);
  });

  it.each(['10.0.0.0/33', 'fd00::/129', '10.0.0.0/x', '10.0.0.0/', 'example.com/8', '10.0.0/8'])('%s is not a range', (text) => {
    expect(parseRange(text)).toBeNull();
  });
});
