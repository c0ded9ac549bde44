#!/usr/bin/env python3
# The lab's delay line: netem without netem. `tc netem` is not available on this machine kind, so the
# lab's router namespace sends every forwarded packet (policy routing: `iif <host link> lookup <table>`,
# that table routes the lab's range into this TUN device) through this process, which drops a packet
# with the configured probability (real loss: the packet never reappears) and writes the others back
# into the same TUN device after `delay ± jitter` milliseconds (uniform jitter, like netem's default).
# Packets written back arrive with iif = the TUN device, no rule matches them, and the main table
# routes them on to the destination host. IP headers are never touched, so source addresses, per-IP
# and per-/16 rules stay intact (an L4 proxy would hide them).
#
# Control: one command per line on stdin — `set <delay_ms> <jitter_ms> <loss_fraction>` answers `ok`;
# `stats` answers one JSON line of counters. EOF on stdin (the lab's controller died) ends the process,
# and so does --max-seconds: the loop is bounded in time. It must run inside the router namespace
# (`ip netns exec`), which has no route out of the lab.

import argparse
import fcntl
import heapq
import json
import os
import random
import select
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
# Largest packet read: the lab's links use the default 1500-byte MTU; 64 KiB covers any GSO burst.
READ_SIZE = 65536
# Packets held at once: 100 ms of a busy lab is a few thousand packets; beyond this new ones are
# dropped (and counted) instead of growing memory without bound.
MAX_QUEUED = 20000
# Packets read per wake-up before the queue is serviced again, so a flood cannot starve the writer.
READ_BATCH = 256


def open_tun(name: str) -> int:
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main() -> int:
    parser = argparse.ArgumentParser(description='TUN delay/loss line for the peerwire network lab')
    parser.add_argument('--dev', required=True, help='TUN device name to create')
    parser.add_argument('--max-seconds', type=float, required=True, help='exit after this long')
    parser.add_argument('--seed', type=int, default=None, help='random seed (reproducible loss pattern)')
    args = parser.parse_args()

    rng = random.Random(args.seed)
    fd = open_tun(args.dev)
    subprocess.run(['ip', 'link', 'set', 'dev', args.dev, 'up'], check=True)
    # Reverse-path filtering would drop reinjected packets whose source is routed via another link.
    subprocess.run(['sysctl', '-q', '-w', f'net.ipv4.conf.{args.dev}.rp_filter=0'], check=True)

    delay_ms, jitter_ms, loss = 0.0, 0.0, 0.0
    queue: list[tuple[float, int, bytes]] = []
    seq = 0
    counters = {'received': 0, 'dropped_loss': 0, 'dropped_overflow': 0, 'forwarded': 0, 'write_errors': 0}
    deadline = time.monotonic() + args.max_seconds
    stdin = sys.stdin.buffer
    pending_line = b''
    print('ready', flush=True)

    while True:
        now = time.monotonic()
        if now >= deadline:
            return 0
        timeout = deadline - now
        if queue:
            timeout = min(timeout, max(0.0, queue[0][0] - now))
        readable, _, _ = select.select([fd, stdin], [], [], timeout)
        if stdin in readable:
            chunk = os.read(stdin.fileno(), 4096)
            if not chunk:
                return 0
            pending_line += chunk
            while b'\n' in pending_line:
                line, pending_line = pending_line.split(b'\n', 1)
                parts = line.decode(errors='replace').split()
                if parts[:1] == ['set'] and len(parts) == 4:
                    delay_ms, jitter_ms, loss = float(parts[1]), float(parts[2]), float(parts[3])
                    print('ok', flush=True)
                elif parts[:1] == ['stats']:
                    print(json.dumps({**counters, 'queued': len(queue)}), flush=True)
                elif parts:
                    print('error unknown command', flush=True)
        if fd in readable:
            for _ in range(READ_BATCH):
                try:
                    packet = os.read(fd, READ_SIZE)
                except BlockingIOError:
                    break
                counters['received'] += 1
                if loss > 0 and rng.random() < loss:
                    counters['dropped_loss'] += 1
                    continue
                if len(queue) >= MAX_QUEUED:
                    counters['dropped_overflow'] += 1
                    continue
                wait = max(0.0, delay_ms + rng.uniform(-jitter_ms, jitter_ms)) / 1000.0
                seq += 1
                heapq.heappush(queue, (time.monotonic() + wait, seq, packet))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, packet = heapq.heappop(queue)
            try:
                os.write(fd, packet)
                counters['forwarded'] += 1
            except OSError:
                counters['write_errors'] += 1


if __name__ == '__main__':
    sys.exit(main())
