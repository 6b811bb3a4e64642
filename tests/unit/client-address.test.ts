import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addressKey, clientAddress, PEER_HEADER } from '@/server/http/client-address';

const h = (peer?: string, xff?: string) =>
  new Headers({
    ...(peer !== undefined && { [PEER_HEADER]: peer }),
    ...(xff !== undefined && { 'x-forwarded-for': xff }),
  });

describe('clientAddress behind our front server', () => {
  beforeEach(() => {
    vi.stubEnv('STEEPLE_HTTP_FRONT', '1');
    vi.stubEnv('LOG_LEVEL', 'error'); // the deployment warnings are tested below, not printed here
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ['IPv4', '203.0.113.7', '203.0.113.7'],
    ['IPv6', '2001:db8::1', '2001:db8::1'],
    ['IPv4 through an IPv6 socket', '::ffff:203.0.113.7', '203.0.113.7'],
    ['the mapped prefix in capitals', '::FFFF:203.0.113.7', '203.0.113.7'],
    ['spaces around it', ' 203.0.113.7 ', '203.0.113.7'],
    ['not an address', 'localhost', 'unknown'],
    ['an address with a port', '203.0.113.7:5000', 'unknown'],
    ['empty', '', 'unknown'],
  ])('no proxies: the socket’s address (%s)', (_name, peer, address) => {
    expect(clientAddress(h(peer), 0)).toBe(address);
  });

  it('no proxies: X-Forwarded-For is the client’s own writing and changes nothing', () => {
    expect(clientAddress(h('203.0.113.7', '1.2.3.4, 5.6.7.8'), 0)).toBe('203.0.113.7');
  });

  it('no peer header at all is unknown', () => {
    expect(clientAddress(h(undefined, '1.2.3.4'), 1)).toBe('unknown');
    expect(clientAddress(undefined, 0)).toBe('unknown');
  });

  it.each([
    // The client claims 6.6.6.6; the one proxy appended the address it saw.
    ['one hop', '10.0.0.2', '6.6.6.6, 198.51.100.9', 1, '198.51.100.9'],
    ['two hops', '10.0.0.3', '6.6.6.6, 198.51.100.9, 10.0.0.2', 2, '198.51.100.9'],
    ['no spaces after commas', '10.0.0.3', '6.6.6.6,198.51.100.9,10.0.0.2', 2, '198.51.100.9'],
    ['empty entries are skipped', '10.0.0.2', '6.6.6.6, , 198.51.100.9,', 1, '198.51.100.9'],
    ['a mapped IPv4 in the chain', '10.0.0.2', '::ffff:198.51.100.9', 1, '198.51.100.9'],
    ['IPv6 in the chain', '10.0.0.2', '2001:db8::7', 1, '2001:db8::7'],
    ['a chain shorter than the hops: the furthest known', '10.0.0.2', undefined, 1, '10.0.0.2'],
    ['three hops, one entry: the furthest known', '10.0.0.2', '198.51.100.9', 3, '198.51.100.9'],
    ['the chosen entry not an address', '10.0.0.2', 'not-an-address', 1, 'unknown'],
    ['ports further left in the chain', '10.0.0.3', '6.6.6.6:1, 198.51.100.9:2, [2001:db8::8]:3', 2, '198.51.100.9'],
  ])('behind proxies, %s', (_name, peer, xff, hops, address) => {
    expect(clientAddress(h(peer, xff), hops)).toBe(address);
  });

  // Some proxies write the port they saw, and IPv6 in brackets (as in a URL): the address is still the client's.
  it.each([
    ['198.51.100.9:4431', '198.51.100.9'],
    ['[2001:db8::7]', '2001:db8::7'],
    ['[2001:db8::7]:4431', '2001:db8::7'],
    ['[::ffff:198.51.100.9]:80', '198.51.100.9'],
    ['2001:db8::7:4431', '2001:db8::7:4431'], // bare IPv6: the last group is part of the address, not a port
    ['[not-an-address]:80', 'unknown'],
    ['198.51.100.9:', 'unknown'],
    ['198.51.100.9:http', 'unknown'],
    ['198.51.100.9:1:2', 'unknown'],
  ])('behind one proxy, the forwarded entry %j is %s', (entry, address) => {
    expect(clientAddress(h('10.0.0.2', entry), 1)).toBe(address);
  });

  it('reads plain header records too, joining repeated headers', () => {
    expect(clientAddress({ [PEER_HEADER]: '10.0.0.2', 'x-forwarded-for': '198.51.100.9' }, 1)).toBe('198.51.100.9');
    expect(clientAddress({ [PEER_HEADER]: '10.0.0.2', 'x-forwarded-for': ['6.6.6.6', '198.51.100.9'] }, 1)).toBe(
      '198.51.100.9',
    );
    expect(clientAddress({ [PEER_HEADER]: ['10.0.0.2'] }, 0)).toBe('10.0.0.2');
  });
});

describe('the deployment warnings', () => {
  // Each test takes a fresh copy of the module: "once per process" is the module's own memory.
  async function fresh() {
    vi.resetModules();
    return (await import('@/server/http/client-address')).clientAddress;
  }
  const said = (write: { mock: { calls: unknown[][] } }, text: string) =>
    write.mock.calls.map(([line]) => String(line)).filter((line) => line.includes(text)).length;

  beforeEach(() => {
    vi.stubEnv('LOG_LEVEL', 'warn');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('without our front server no peer header is believed, and that is said once', async () => {
    const clientAddressOf = await fresh();
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.stubEnv('STEEPLE_HTTP_FRONT', '');
    expect(clientAddressOf(h('203.0.113.7'), 0)).toBe('unknown');
    expect(clientAddressOf(h('203.0.113.7', '1.2.3.4'), 1)).toBe('unknown');
    vi.stubEnv('STEEPLE_HTTP_FRONT', 'true'); // only '1', which scripts/serve.mjs sets
    expect(clientAddressOf(h('203.0.113.7'), 0)).toBe('unknown');
    expect(said(write, 'client addresses are unknown')).toBe(1);
  });

  it('X-Forwarded-For with no hops trusted is said once, and the socket’s address is still used', async () => {
    const clientAddressOf = await fresh();
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.stubEnv('STEEPLE_HTTP_FRONT', '1');
    expect(clientAddressOf(h('203.0.113.7'), 0)).toBe('203.0.113.7');
    expect(said(write, 'TRUST_PROXY_HOPS is 0')).toBe(0);
    expect(clientAddressOf(h('203.0.113.7', '1.2.3.4'), 0)).toBe('203.0.113.7');
    expect(clientAddressOf(h('203.0.113.8', '1.2.3.5'), 0)).toBe('203.0.113.8');
    expect(said(write, 'TRUST_PROXY_HOPS is 0')).toBe(1);
  });
});

describe('addressKey', () => {
  it.each([
    ['IPv4 is itself', '203.0.113.7', '203.0.113.7'],
    ['IPv6 is its /64', '2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['the same /64 however it is written', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['a neighbouring /64 is another key', '2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['upper case hex', '2001:DB8:1:2::1', '2001:db8:1:2::/64'],
    ['loopback', '::1', '0:0:0:0::/64'],
    ['unknown stays unknown', 'unknown', 'unknown'],
  ])('%s', (_name, address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});
