// Address samples for the address-hygiene checks (test/engine/peers/address-scope.test.ts) and the
// attack table's address row (bench/attack.ts): addresses a node must never dial when a peer gossips
// them on a public network, and routable ones a local test network must never dial.

/** One of each unroutable range a peer may gossip (host:port). */
export const NEVER_PUBLIC: readonly string[] = [
  '0.0.0.0:26656', // unspecified
  '127.0.0.1:26656', // loopback
  '10.1.2.3:26656', // RFC 1918
  '172.16.0.1:26656',
  '192.168.1.1:26656',
  '100.64.0.1:26656', // RFC 6598
  '169.254.1.1:26656', // RFC 3927
  '192.0.2.1:26656', // RFC 5737
  '198.51.100.7:26656',
  '203.0.113.9:26656',
  '198.18.0.1:26656', // benchmarking
  '224.0.0.1:26656', // multicast
  '240.0.0.1:26656', // reserved
  '255.255.255.255:26656',
  '[::]:26656',
  '[::1]:26656',
  '[fc00::1]:26656', // ULA
  '[fd12:3456::1]:26656',
  '[fe80::1]:26656', // link-local
  '[2001:db8::1]:26656', // documentation
  '[3fff::1]:26656', // documentation (RFC 9637)
  '[ff02::1]:26656', // multicast
  '[100::1]:26656', // discard
  '[2001:10::1]:26656', // ORCHID
  '[::ffff:10.0.0.1]:26656', // mapped private
];

/** Routable public addresses (documentation excepted) that a local test network must not dial. */
export const PUBLIC_SAMPLES: readonly string[] = ['8.8.8.8:26656', '1.1.1.1:8233', '[2a00:1450::1]:8233', '93.184.216.34:26656'];
