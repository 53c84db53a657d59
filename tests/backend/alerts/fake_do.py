"""A local stand-in for the DigitalOcean App Platform alert endpoints: a real HTTP server on 127.0.0.1.

It keeps apps and their alerts in memory, records every request, validates every request body against the
schema written from DigitalOcean's published specification (tests/data/digitalocean), and answers with bodies
of the documented shapes, which it validates too. Like App Platform's JSON (proto3), answers leave out fields
that hold their default (``disabled: false``), so the client's comparison has to cope with that.

Tests can queue faults (status, headers, body) that the next requests get before anything else happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "data" / "digitalocean" / "app_alerts.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(SCHEMA)


def validate(definition: str, instance: object) -> list[str]:
    """Every way ``instance`` breaks the schema's ``$defs[definition]`` (empty when it conforms)."""
    schema = {"$ref": f"#/$defs/{definition}", **SCHEMA}
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it (the body decoded, or None)."""

    method: str
    path: str
    body: Any
    status: int


@dataclass
class Fault:
    """The answer the next request gets; ``delay`` seconds pass before it is sent."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] | None = None
    delay: float = 0.0


def _error(status: int, error_id: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"id": error_id, "message": message, "request_id": str(uuid.uuid4())}
    assert not validate("error", body)
    return JSONResponse(body, status_code=status, headers=headers)


def _proto3(alert_spec: dict[str, Any]) -> dict[str, Any]:
    """What App Platform answers for an alert spec: default-valued fields left out."""
    return {k: v for k, v in alert_spec.items() if not (k == "disabled" and v is False)}


class FakeAppPlatform:
    """The fake's state and its Starlette app."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.apps: dict[str, dict[str, Any]] = {}
        self.alerts: dict[str, dict[str, dict[str, Any]]] = {}  # app id -> alert id -> app_alert
        self.requests: list[Recorded] = []
        self.schema_errors: list[str] = []
        self.faults: deque[Fault] = deque()
        # While True, alerts added by a spec update get no id (App Platform lists them once deployed).
        self.defer_new_alerts = False
        self.lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/v2/apps/{app_id}", self._app, methods=["GET", "PUT"]),
                Route("/v2/apps/{app_id}/alerts", self._list_alerts, methods=["GET"]),
                Route(
                    "/v2/apps/{app_id}/alerts/{alert_id}/destinations", self._destinations, methods=["POST"]
                ),
            ]
        )

    # State helpers for tests.
    def add_app(self, spec: dict[str, Any]) -> str:
        app_id = str(uuid.uuid4())
        with self.lock:
            self.apps[app_id] = {"id": app_id, "spec": copy.deepcopy(spec)}
            self.alerts[app_id] = {}
            self._sync_alerts(app_id)
        return app_id

    def service_alerts(self, app_id: str, component: str) -> list[dict[str, Any]]:
        for service in self.apps[app_id]["spec"].get("services", []):
            if service.get("name") == component:
                return copy.deepcopy(service.get("alerts", []))
        raise KeyError(component)

    def deploy(self, app_id: str) -> None:
        """The deployment finished: every alert in the spec is listed."""
        with self.lock:
            self.defer_new_alerts = False
            self._sync_alerts(app_id)

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("PUT", "POST", "DELETE", "PATCH")]

    def _sync_alerts(self, app_id: str) -> None:
        """Give each alert in the spec an id (kept while component and rule stay), as App Platform does."""
        known = self.alerts[app_id]
        wanted: dict[tuple[str, str], dict[str, Any]] = {}
        for service in self.apps[app_id]["spec"].get("services", []):
            for alert_spec in service.get("alerts", []):
                wanted[(service["name"], alert_spec["rule"])] = alert_spec
        by_key = {(a["component_name"], a["spec"]["rule"]): a for a in known.values()}
        for key, alert_spec in wanted.items():
            if key in by_key:
                by_key[key]["spec"] = copy.deepcopy(alert_spec)
            elif not self.defer_new_alerts:
                alert_id = str(uuid.uuid4())
                known[alert_id] = {
                    "id": alert_id,
                    "component_name": key[0],
                    "spec": copy.deepcopy(alert_spec),
                    "emails": [],
                    "slack_webhooks": [],
                    "phase": "ACTIVE",
                }
        for alert_id in [
            i for i, a in known.items() if (a["component_name"], a["spec"]["rule"]) not in wanted
        ]:
            del known[alert_id]

    def _answer(self, definition: str, body: dict[str, Any]) -> JSONResponse:
        problems = validate(definition, body)
        if problems:
            self.schema_errors.extend(f"answer {definition}: {p}" for p in problems)
        return JSONResponse(body, headers={"ratelimit-limit": "5000", "ratelimit-remaining": "4999"})

    def _app_body(self, app_id: str) -> dict[str, Any]:
        app = copy.deepcopy(self.apps[app_id])
        for service in app["spec"].get("services", []):
            if "alerts" in service:
                service["alerts"] = [_proto3(a) for a in service["alerts"]]
        return {"app": app}

    async def _gate(self, request: Request, expected: str | None) -> tuple[Any, Response | None]:
        """Record the request; answer a queued fault, a bad token or a schema violation first."""
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        status = 200
        refusal: Response | None = None
        with self.lock:
            fault = self.faults.popleft() if self.faults else None
        if fault is not None:
            await asyncio.sleep(fault.delay)
            status = fault.status
            refusal = (
                JSONResponse(fault.body, status_code=fault.status, headers=fault.headers)
                if fault.body is not None
                else Response(status_code=fault.status, headers=fault.headers)
            )
        elif request.headers.get("authorization") != f"Bearer {self.token}":
            status = 401
            refusal = _error(401, "unauthorized", "Unable to authenticate you.")
        elif request.path_params["app_id"] not in self.apps:
            status = 404
            refusal = _error(404, "not_found", "The resource you were accessing could not be found.")
        elif expected is not None:
            problems = validate(expected, body)
            if problems:
                self.schema_errors.extend(f"{request.method} {request.url.path}: {p}" for p in problems)
                status = 400
                refusal = _error(400, "bad_request", "; ".join(problems))
        self.requests.append(Recorded(request.method, request.url.path, body, status))
        return body, refusal

    async def _app(self, request: Request) -> Response:
        app_id = request.path_params["app_id"]
        if request.method == "GET":
            _, refusal = await self._gate(request, None)
            return refusal or self._answer_app(app_id)
        body, refusal = await self._gate(request, "apps_update_app_request")
        if refusal is not None:
            return refusal
        with self.lock:
            self.apps[app_id]["spec"] = copy.deepcopy(body["spec"])
            self._sync_alerts(app_id)
        return self._answer_app(app_id)

    def _answer_app(self, app_id: str) -> JSONResponse:
        with self.lock:
            body = self._app_body(app_id)
        return JSONResponse(body)

    async def _list_alerts(self, request: Request) -> Response:
        _, refusal = await self._gate(request, None)
        if refusal is not None:
            return refusal
        with self.lock:
            alerts = [
                {**copy.deepcopy(a), "spec": _proto3(a["spec"])}
                for a in self.alerts[request.path_params["app_id"]].values()
            ]
        return self._answer("apps_list_alerts_response", {"alerts": alerts})

    async def _destinations(self, request: Request) -> Response:
        body, refusal = await self._gate(request, "apps_assign_app_alert_destinations_request")
        if refusal is not None:
            return refusal
        with self.lock:
            alert = self.alerts[request.path_params["app_id"]].get(request.path_params["alert_id"])
            if alert is None:
                return _error(404, "not_found", "The resource you were accessing could not be found.")
            alert["emails"] = list(body.get("emails", []))
            alert["slack_webhooks"] = list(body.get("slack_webhooks", []))
            answer = {"alert": {**copy.deepcopy(alert), "spec": _proto3(alert["spec"])}}
        return self._answer("apps_alert_response", answer)


@contextlib.contextmanager
def serve(fake: FakeAppPlatform) -> Iterator[str]:
    """Run ``fake`` under uvicorn on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake.app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fake DigitalOcean API did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
