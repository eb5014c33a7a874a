"""The local cloud: moto's server as AWS, resources from template.yaml, real handlers in-process,
the Chalice apps over HTTP, the fakes of national systems, and locally fired schedules.

It holds no product logic: everything a request does happens in the real handlers and the motcua package.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.lambdas import InProcessRunner
from infra.local.provision import Provisioned, Provisioner
from infra.local.template import ROOT, translate

REGION = "ap-southeast-1"
STATE_DIR = ROOT / ".local-cloud"
PROVINCE_CONFIG = Path(__file__).parent / "seed" / "province-config.json"
# Khánh Hòa's real agency list (the national online-service listing), the project's copy of shared data.
AGENCIES = ROOT / "tests" / "fixtures" / "national-catalogue" / "khanh-hoa-agencies.json"

# Off AWS: no X-Ray daemon, fake credentials; everything else comes from the template.
BASE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_XRAY_SDK_ENABLED": "false",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalCloud:
    api_port: int = 0
    issuer_port: int = 0
    national_port: int = 0
    moto_port: int = 0
    seed: bool = True
    fire_schedules: bool = True
    state_file: Path = STATE_DIR / "state.json"
    urls: dict[str, str] = field(default_factory=dict)
    provisioned: Provisioned | None = None
    runner: InProcessRunner | None = None
    _stoppers: list[Any] = field(default_factory=list)

    def start(self) -> dict[str, Any]:
        started = time.monotonic()
        os.environ.update(BASE_ENVIRONMENT)
        self._start_moto()
        self._start_fakes()
        self._provision()
        if self.seed:
            self._seed()
        self._serve_apps()
        self._serve_control()
        if self.fire_schedules:
            self._start_scheduler()
        state = self.state()
        state["ready_seconds"] = round(time.monotonic() - started, 2)
        state["catalogue_sync"] = getattr(self, "sync_report", {}).get("counters")
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(state, indent=2))
        return state

    def stop(self) -> None:
        for stop in reversed(self._stoppers):
            with contextlib.suppress(Exception):  # best effort on the way out
                stop()

    # ------------------------------------------------------------------ parts
    def _start_moto(self) -> None:
        import logging

        from moto.server import ThreadedMotoServer

        from infra.local.moto_patches import serialise_dynamodb_writes

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per AWS call drowns the app's logs
        serialise_dynamodb_writes()
        port = self.moto_port or free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        self._stoppers.append(server.stop)
        endpoint = f"http://127.0.0.1:{port}"
        # The Step Functions interpreter calls back into the server: it must know its port.
        os.environ["MOTO_PORT"] = str(port)
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        request = urllib.request.Request(
            f"{endpoint}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).read()
        self.urls["aws"] = endpoint

    def _start_fakes(self) -> None:
        from infra.fakes.identity_issuer import FakeIdentityIssuer
        from infra.fakes.national_catalogue import FakeNationalCatalogue

        issuer = FakeIdentityIssuer(port=self.issuer_port)
        self.urls["identity"] = issuer.start()
        self._stoppers.append(issuer.stop)
        self._issuer = issuer
        national = FakeNationalCatalogue(port=self.national_port)
        self.urls["national_catalogue"] = national.start()
        self._stoppers.append(national.stop)

    def _provision(self) -> None:
        import boto3

        from motcua.web.auth import Realm

        citizen, officer = self._issuer.realm_config(Realm.CITIZEN), self._issuer.realm_config(Realm.OFFICER)
        overrides = {
            "Stage": "dev",
            "CitizenIssuer": citizen.issuer,
            "CitizenAudience": citizen.audience,
            "CitizenJwksUrl": citizen.jwks_url,
            "OfficerIssuer": officer.issuer,
            "OfficerAudience": officer.audience,
            "OfficerJwksUrl": officer.jwks_url,
            "NationalCatalogueUrl": self.urls["national_catalogue"],
        }
        translated = translate(overrides)
        session = boto3.session.Session(region_name=REGION)
        provisioner = Provisioner(translated, session, REGION)
        provisioner.run()
        self.provisioned = provisioner.finish()
        self._apply_function_environment()
        self.runner = InProcessRunner(self.provisioned.functions, REGION)
        self.runner.install()

    def _apply_function_environment(self) -> None:
        """Handlers run in this process, so their environment is the process's. Functions must agree on
        every variable they share (keep configuration in Globals); a disagreement is a template bug."""
        assert self.provisioned is not None
        merged: dict[str, tuple[str, str]] = {}
        for function in self.provisioned.functions.values():
            for key, value in function.environment.items():
                if key in merged and merged[key][1] != value:
                    raise RuntimeError(
                        f"{key} differs between {merged[key][0]} and {function.name}: move it to Globals"
                    )
                merged[key] = (function.name, value)
        os.environ.update({key: value for key, (_, value) in merged.items()})
        from motcua import runtime

        runtime.reset()

    def _seed(self) -> None:
        """Load the province's agencies and catalogue configuration, then sync the catalogue from the fake
        national database through the real sync function (a full run, as on a first deployment)."""
        from motcua import runtime
        from motcua.agencies.service import load_agencies

        agencies = json.loads(AGENCIES.read_text(encoding="utf-8"))
        load_agencies(runtime.agency_store(), agencies, os.environ.get("PROVINCE_CODE", "H32"))
        config = json.loads(PROVINCE_CONFIG.read_text(encoding="utf-8"))
        config.pop("_comment", None)
        runtime.catalogue_store().put_json("CONFIG", "PROVINCE", config)
        assert self.provisioned is not None
        sync_function = self.provisioned.physical["CatalogueSyncFunction"]
        self.sync_report = self.invoke(sync_function, {"full": True})

    def _serve_apps(self) -> None:
        import importlib

        from infra.local.gateway import Gateway

        assert self.provisioned is not None
        apps = []
        for function in self.provisioned.functions.values():
            module = importlib.import_module(function.module)
            candidate = getattr(module, function.attribute)
            if type(candidate).__name__ in {"Chalice", "LocalChalice"} or hasattr(candidate, "routes"):
                prefixes = [p.split("{")[0].rstrip("/") or "/" for p in candidate.routes]
                apps.append((os.path.commonpath(prefixes), candidate))
        # most specific prefix first, so /v1/webhooks goes to the webhook app and the rest to the API
        apps.sort(key=lambda pair: len(pair[0]), reverse=True)
        if apps:
            apps[-1] = ("/", apps[-1][1])
        gateway = Gateway(apps, port=self.api_port)
        self.urls["api"] = gateway.start()
        self._stoppers.append(gateway.stop)

    def _serve_control(self) -> None:
        from infra.local.control import ControlServer

        assert self.provisioned is not None
        physical = self.provisioned.physical

        def fire(logical_id: str) -> dict[str, Any]:
            scheduled = {s.function_name for s in self.provisioned.schedules} if self.provisioned else set()
            name = physical[logical_id]  # KeyError: unknown
            if name not in scheduled:
                raise KeyError(logical_id)
            return self.fire(name)

        control = ControlServer(fire)
        self.urls["control"] = control.start()
        self._stoppers.append(control.stop)

    def _start_scheduler(self) -> None:
        assert self.provisioned is not None
        stop = threading.Event()
        self._stoppers.append(stop.set)
        for schedule in self.provisioned.schedules:
            seconds = rate_seconds(schedule.expression)
            threading.Thread(
                target=self._fire_every,
                args=(schedule.function_name, seconds, stop),
                daemon=True,
                name=f"schedule-{schedule.rule}",
            ).start()

    def _fire_every(self, function_name: str, seconds: float, stop: threading.Event) -> None:
        while not stop.wait(seconds):
            self.fire(function_name)

    def fire(self, function_name: str) -> dict[str, Any]:
        """Deliver a scheduled event now, through Lambda Invoke in the embedded AWS."""
        return self.invoke(
            function_name, {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
        )

    def invoke(self, function_name: str, event: dict[str, Any]) -> dict[str, Any]:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "lambda", region_name=REGION, config=Config(read_timeout=900, retries={"max_attempts": 0})
        )
        response = client.invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
        payload = json.loads(response["Payload"].read() or b"{}")
        if response.get("FunctionError"):
            raise RuntimeError(f"{function_name} failed: {payload}")
        return payload  # type: ignore[no-any-return]

    def state(self) -> dict[str, Any]:
        assert self.provisioned is not None
        return {
            "urls": self.urls,
            "region": REGION,
            "resources": self.provisioned.physical,
            "functions": sorted(self.provisioned.functions),
            "schedules": [vars(s) for s in self.provisioned.schedules],
            "skipped": self.provisioned.skipped,
            "pid": os.getpid(),
        }


def rate_seconds(expression: str) -> float:
    match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression)
    if not match:
        return 3600.0  # cron expressions: fire hourly locally; use `fire` to run one now
    amount, unit = int(match.group(1)), match.group(2).rstrip("s")
    return amount * {"minute": 60, "hour": 3600, "day": 86400}[unit]
