"""``python -m monitor.replica [--port 0] [--data DIR] [--lifetime SECONDS] [--log FILE]``

Serves the replica outlet on 127.0.0.1, prints its URL on the first line of stdout, and stops by
itself: after ``--lifetime`` seconds, when its parent process exits, or on Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from monitor.replica import DEFAULT_DATA, Replica, ReplicaDataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.replica", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the replica data directory")
    parser.add_argument(
        "--lifetime", type=float, default=3600.0, help="stop after this many seconds (0: never)"
    )
    parser.add_argument("--log", default=None, help="append every request as a JSON line here")
    args = parser.parse_args(argv)
    try:
        replica = Replica(
            args.data, port=args.port, lifetime=args.lifetime or None, log_path=args.log
        )
    except (ReplicaDataError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    replica.start()
    print(replica.url, flush=True)
    parent = os.getppid()
    signal.signal(signal.SIGTERM, lambda *_: replica.stop())

    def watch_parent() -> None:
        # Re-parented means the process that started us is gone: stop with it.
        while not replica.wait(1.0):
            if os.getppid() != parent:
                replica.stop()

    threading.Thread(target=watch_parent, daemon=True).start()
    try:
        while not replica.wait(0.5):
            pass
    except KeyboardInterrupt:
        replica.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
