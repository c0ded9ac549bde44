#!/usr/bin/env python3
# The lab controller's eyes inside one namespace. A node serves /status and /metrics on its own
# namespace's loopback, which nothing outside that namespace can reach; the controller starts one
# of these per namespace (`ip netns exec <ns> python3 probe.py`) and asks through stdin/stdout:
# a request line `<id> <port> <path>` is answered by one JSON line {"id", "status", "body"} (status 0
# and an "error" when the fetch failed). Only 127.0.0.1 is ever fetched. EOF on stdin or
# --max-seconds ends it, so a dead controller never leaves it behind for long.

import argparse
import json
import select
import sys
import time
import urllib.request

# One fetch may take this long (s): a node answers in milliseconds; a wedged one must not stall the lab.
FETCH_TIMEOUT_S = 5
# Largest body read (bytes): /metrics of a busy node is tens of kilobytes.
MAX_BODY = 4 * 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description='loopback fetch agent for the peerwire network lab')
    parser.add_argument('--max-seconds', type=float, required=True)
    args = parser.parse_args()
    deadline = time.monotonic() + args.max_seconds
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    print(json.dumps({'id': 'ready'}), flush=True)
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sys.stdin], [], [], max(0.0, deadline - time.monotonic()))
        if not readable:
            continue
        line = sys.stdin.readline()
        if not line:
            return 0
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].startswith('/'):
            print(json.dumps({'id': parts[0] if parts else '', 'status': 0, 'error': 'bad request'}), flush=True)
            continue
        request_id, port, path = parts
        try:
            with opener.open(f'http://127.0.0.1:{int(port)}{path}', timeout=FETCH_TIMEOUT_S) as response:
                body = response.read(MAX_BODY).decode('utf-8', errors='replace')
                print(json.dumps({'id': request_id, 'status': response.status, 'body': body}), flush=True)
        except Exception as error:  # noqa: BLE001 - every failure is an answer, never a crash
            print(json.dumps({'id': request_id, 'status': 0, 'error': str(error)[:200]}), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
