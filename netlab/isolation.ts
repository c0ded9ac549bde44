// The proof that the lab is sealed, run at start-up (the lab refuses to start on any finding) and by
// a test: the root namespace holds no lab link and no route into the lab range, and asking it for a
// route to any lab address is refused (the guard); no lab namespace has a default route or a route
// outside the lab range; the router holds only its lab links. The check reads routing state only: it
// never sends a packet to find out.

import { inLabSupernet, LAB_SUPERNET } from './topology.ts';
import type { LabNetwork } from './network.ts';
import { ip, ipJson } from './shell.ts';

interface RouteJson {
  readonly dst?: string;
  readonly type?: string;
  readonly table?: string;
  readonly dev?: string;
}

interface LinkJson {
  readonly ifname?: string;
}

/** True when a route's destination lies inside the lab range (`10.201.0.10`, `10.192.0.0/10`). */
function dstInLab(dst: string): boolean {
  const [addr, len] = dst.split('/');
  if (addr === undefined || !inLabSupernet(addr)) return false;
  return len === undefined || Number(len) >= Number(LAB_SUPERNET.split('/')[1]);
}

/** Every way the lab is not sealed; empty when it is. */
export async function checkIsolation(network: LabNetwork): Promise<string[]> {
  const findings: string[] = [];
  const prefix = network.names.prefix;
  // Root namespace: no lab link, no route into the lab range, and every lab address refused.
  for (const link of await ipJson<LinkJson>(undefined, ['link', 'show'])) {
    if (link.ifname?.startsWith(prefix) === true) findings.push(`root namespace holds lab link ${link.ifname}`);
  }
  for (const route of await ipJson<RouteJson>(undefined, ['route', 'show', 'table', 'all'])) {
    if (route.dst !== undefined && route.dst !== 'default' && dstInLab(route.dst)) {
      findings.push(`root namespace has a route to ${route.dst} (table ${route.table ?? 'main'}, dev ${route.dev ?? '?'})`);
    }
  }
  for (const addr of network.addresses()) {
    const lookup = await ip(undefined, ['route', 'get', addr], { allowFail: true });
    if (lookup.code === 0) findings.push(`root namespace would route ${addr}: ${lookup.stdout.trim().split('\n')[0] ?? ''}`);
  }
  // Lab namespaces: no default route, nothing outside the lab range except their own loopback.
  for (const ns of network.namespaces()) {
    const routes = [...(await ipJson<RouteJson>(ns, ['route', 'show', 'table', 'all'])), ...(await ipJson<RouteJson>(ns, ['-6', 'route', 'show', 'table', 'all']))];
    for (const route of routes) {
      const dst = route.dst ?? '';
      if (dst === 'default') {
        findings.push(`${ns} has a default route (table ${route.table ?? 'main'})`);
        continue;
      }
      if (route.table === 'local' || route.dev === 'lo' || dstInLab(dst)) continue;
      findings.push(`${ns} has a route outside the lab range: ${dst} dev ${route.dev ?? '?'}`);
    }
  }
  const ours = new Set([network.names.tun, ...network.routerLinks(), 'lo']);
  for (const link of await ipJson<LinkJson>(network.names.router, ['link', 'show'])) {
    if (link.ifname !== undefined && !ours.has(link.ifname)) findings.push(`router namespace holds a foreign link ${link.ifname}`);
  }
  return findings;
}
