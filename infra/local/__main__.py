"""`python -m infra.local` — start the local cloud and serve until Ctrl-C (what `make run` calls)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "layers" / "core" / "python"))


def main() -> None:
    parser = argparse.ArgumentParser(description="motcua local cloud")
    parser.add_argument("--port", type=int, default=8700, help="API port (0 = any free port)")
    parser.add_argument("--issuer-port", type=int, default=8701, help="fake identity issuer port")
    parser.add_argument("--no-schedules", action="store_true", help="do not fire schedules")
    parser.add_argument(
        "--state-file",
        type=Path,
        default=ROOT / ".local-cloud" / "state.json",
        help="where to write the URLs and resource names (read by `make demo` and tests)",
    )
    args = parser.parse_args()

    from infra.local.cloud import LocalCloud

    cloud = LocalCloud(
        api_port=args.port,
        issuer_port=args.issuer_port,
        fire_schedules=not args.no_schedules,
        state_file=args.state_file,
    )
    state = cloud.start()
    api, identity = state["urls"]["api"], state["urls"]["identity"]
    print(
        f"""
motcua local cloud is ready in {state["ready_seconds"]} s

  API base URL      {api}/v1          (OpenAPI: {api}/v1/openapi.json)
  embedded AWS      {state["urls"]["aws"]}  (moto; AWS_ENDPOINT_URL for the aws CLI / boto3)
  identity (fake)   {identity}        (demo users: {identity}/demo-users)

Get a demo token:
  curl -s -X POST {identity}/citizen/token -d '{{"demo_user": "citizen-lan"}}'
  curl -s -X POST {identity}/officer/token -d '{{"demo_user": "officer-approver"}}'
Then: curl -H "Authorization: Bearer $TOKEN" {api}/v1/tasks

Try `make demo` in another terminal. Ctrl-C to stop.
""",
        flush=True,
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        cloud.stop()


if __name__ == "__main__":
    main()
