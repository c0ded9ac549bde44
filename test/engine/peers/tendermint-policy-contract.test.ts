// TendermintPolicy keeps the peer-policy contract (policy-contract.ts), in its default profile and in
// the local-network profile the testnet uses.

import { localNetworkProfile, TendermintPolicy } from '../../../src/engine/peers/tendermint-policy.ts';
import { addrOf, nodeId } from './peer-fixtures.ts';
import { runPolicyContract } from './policy-contract.ts';

runPolicyContract('tendermint', {
  create: () => new TendermintPolicy(),
  address: (n) => addrOf(n),
  idOf: (n) => nodeId(n),
});

runPolicyContract('tendermint, local-network profile', {
  create: () => new TendermintPolicy(localNetworkProfile),
  address: (n) => addrOf(n, '127.0.0.1', 20_000 + n),
  idOf: (n) => nodeId(n),
});
