#!/usr/bin/env python3
"""Drive a Flyte 2 connector server (c0, or `agentctl serve`) with flyteidl2's own Python stubs.

Uses the generated stubs of the PyPI wheel flyteidl2 2.0.51
(``flyteidl2.connector.service_pb2_grpc``) over a plaintext gRPC channel. Every subcommand
prints one JSON document (sorted keys) on stdout; gRPC errors are reported in it as
``{"code": "<StatusCode name>", "details": "..."}`` and make the exit status 1.

Usage: drive_serve2.py --endpoint HOST:PORT SUBCOMMAND ...

  list                        ListConnectors -> {"code", "connectors": [...]} (proto3 JSON)
  get-connector NAME          GetConnector   -> {"code", "connector": {...}}
  health [NAME]               grpc.health.v1 Check (NAME defaults to "") -> {"code", "status"}
  run TEMPLATE [options]      CreateTask, then GetTask every --poll-interval until a terminal
                              phase (SUCCEEDED, FAILED, ABORTED, RETRYABLE_FAILED) or
                              --max-polls, optionally DeleteTask / GetTaskLogs / GetTaskMetrics
  create TEMPLATE [options]   CreateTask only -> {"create": {...}}
  get | delete | logs | metrics --category NAME[:VERSION] --meta JSON
                              one call with a given resource meta (logs: all pages unless
                              --token is given; --max-pages bounds it)

TEMPLATE is a ``flyteidl2.task.TaskSpec`` or a ``flyteidl2.core.TaskTemplate``, binary (.pb) or
proto3 JSON (.json). The kind is taken from --kind, else from the name (``*.template.*`` is a
template), else from the content (JSON: a ``taskTemplate`` key; binary: a TaskSpec that parses
and has a template type and a short_name).

Inputs (``run``/``create``), sent as ``flyteidl2.task.Inputs`` in this order:
  --inputs-file F             a task.Inputs (.pb binary or .json proto3 JSON), first
  --input NAME=JSON           one literal; JSON is either a proto3-JSON ``core.Literal``
                              (an object with a ``scalar``/``collection``/``map``/... key) or a
                              plain JSON value converted with flyte's TypeEngine to the type the
                              template declares for NAME (datetime: ISO string, timedelta:
                              seconds, dataclass: object). Undeclared names get the type of the
                              JSON value (bool/int/float/str): c0 is expected to drop them.
  defaults                    a TaskSpec's default_inputs fill the inputs not given
                              (disable with --no-defaults)
--task-execution-metadata JSON sets CreateTaskRequest.task_execution_metadata (proto3 JSON).
Connection (``run``/``create``/``get``/``delete``):
  --secret K=V, --config K=V  CreateTaskRequest.connection.secrets / .configs (values are never
                              printed, only the keys); --connection-task-type T sets
                              connection.task_type
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import dataclasses
import datetime
import json
import os
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

os.environ["DO_NOT_TRACK"] = "1"

import grpc  # noqa: E402
from flyteidl2.connector import connector_pb2, service_pb2_grpc  # noqa: E402
from flyteidl2.core import literals_pb2, security_pb2, tasks_pb2  # noqa: E402
from flyteidl2.core.execution_pb2 import TaskExecution  # noqa: E402
from flyteidl2.task import common_pb2, task_definition_pb2  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from google.protobuf.message import DecodeError, Message  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402

TERMINAL = {
    TaskExecution.SUCCEEDED,
    TaskExecution.FAILED,
    TaskExecution.ABORTED,
    TaskExecution.RETRYABLE_FAILED,
}
LITERAL_KEYS = {"scalar", "collection", "map", "offloadedMetadata", "offloaded_metadata", "hash", "metadata"}

EXIT_RPC_ERROR = 1


# ============================================================================ helpers


def to_obj(msg: Message) -> Any:
    return json_format.MessageToDict(msg)


def phase_name(phase: int) -> str:
    return TaskExecution.Phase.Name(phase)


def rpc_error(e: grpc.RpcError) -> Dict[str, Any]:
    return {"code": e.code().name, "details": e.details() or ""}


def decode_meta(meta: bytes) -> Any:
    """resource_meta as the JSON it (normally) is, else base64."""
    try:
        return json.loads(meta.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"base64": base64.b64encode(meta).decode("ascii")}


def parse_kv(items: List[str], what: str) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise SystemExit(f"drive_serve2: {what} {item!r} is not KEY=VALUE")
        k, v = item.split("=", 1)
        out[k] = v
    return out


def parse_category(s: str) -> connector_pb2.TaskCategory:
    name, _, version = s.partition(":")
    return connector_pb2.TaskCategory(name=name, version=int(version or 0))


def load_template(path: str, kind: str) -> Tuple[tasks_pb2.TaskTemplate, Optional[task_definition_pb2.TaskSpec]]:
    """(template, spec or None) from a TaskSpec / TaskTemplate file, binary or JSON."""
    data = open(path, "rb").read()
    is_json = path.endswith(".json") or data.lstrip()[:1] == b"{"
    if kind == "auto" and ".template." in os.path.basename(path):
        kind = "template"
    if is_json:
        obj = json.loads(data)
        if kind == "auto":
            kind = "spec" if "taskTemplate" in obj or "task_template" in obj else "template"
        msg = task_definition_pb2.TaskSpec() if kind == "spec" else tasks_pb2.TaskTemplate()
        json_format.ParseDict(obj, msg)
    else:
        if kind == "auto":
            spec = task_definition_pb2.TaskSpec()
            try:
                spec.ParseFromString(data)
                kind = "spec" if spec.task_template.type and spec.short_name else "template"
            except DecodeError:
                kind = "template"
        msg = task_definition_pb2.TaskSpec() if kind == "spec" else tasks_pb2.TaskTemplate()
        msg.ParseFromString(data)
    if kind == "spec":
        return msg.task_template, msg
    return msg, None


def load_inputs_file(path: str) -> common_pb2.Inputs:
    data = open(path, "rb").read()
    inputs = common_pb2.Inputs()
    if path.endswith(".json") or data.lstrip()[:1] == b"{":
        json_format.Parse(data, inputs)
    else:
        inputs.ParseFromString(data)
    return inputs


async def json_to_literal(name: str, value: Any, declared: Dict[str, Any]) -> literals_pb2.Literal:
    """A core.Literal for --input NAME=JSON (see the module docstring)."""
    if isinstance(value, dict) and value and set(value) <= LITERAL_KEYS:
        return json_format.ParseDict(value, literals_pb2.Literal())

    from flyte.types import TypeEngine

    if name in declared:
        lt = declared[name]
        pytype = TypeEngine.guess_python_type(lt)
    else:
        if isinstance(value, bool):
            pytype = bool
        elif isinstance(value, int):
            pytype = int
        elif isinstance(value, float):
            pytype = float
        elif isinstance(value, str):
            pytype = str
        else:
            raise SystemExit(f"drive_serve2: --input {name}: undeclared input needs a bool/int/float/str or a Literal")
        lt = TypeEngine.to_literal_type(pytype)
    value = _coerce(value, pytype)
    return await TypeEngine.to_literal(value, pytype, lt)


def _coerce(value: Any, pytype: Any) -> Any:
    """JSON value -> the Python value TypeEngine expects for pytype."""
    if value is None:
        return None
    if pytype is datetime.datetime and isinstance(value, str):
        dt = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return dt if dt.tzinfo else dt.replace(tzinfo=datetime.timezone.utc)
    if pytype is datetime.timedelta and isinstance(value, (int, float)):
        return datetime.timedelta(seconds=value)
    if pytype is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if dataclasses.is_dataclass(pytype) and isinstance(value, dict):
        from flyte.types._type_engine import dataclass_from_dict

        return dataclass_from_dict(pytype, value)
    return value


async def build_inputs(args, template: tasks_pb2.TaskTemplate, spec) -> common_pb2.Inputs:
    inputs = common_pb2.Inputs()
    if args.inputs_file:
        inputs.MergeFrom(load_inputs_file(args.inputs_file))
    declared = {e.key: e.value.type for e in template.interface.inputs.variables}
    for item in args.input:
        if "=" not in item:
            raise SystemExit(f"drive_serve2: --input {item!r} is not NAME=JSON")
        name, raw = item.split("=", 1)
        try:
            value = json.loads(raw)
        except ValueError as e:
            raise SystemExit(f"drive_serve2: --input {name}: not JSON: {e}")
        try:
            literal = await json_to_literal(name, value, declared)
        except SystemExit:
            raise
        except Exception as e:
            raise SystemExit(f"drive_serve2: --input {name}: {type(e).__name__}: {e}")
        inputs.literals.append(common_pb2.NamedLiteral(name=name, value=literal))
    if spec is not None and not args.no_defaults:
        given = {nl.name for nl in inputs.literals}
        for np in spec.default_inputs:
            if np.name not in given and np.parameter.HasField("default"):
                inputs.literals.append(common_pb2.NamedLiteral(name=np.name, value=np.parameter.default))
    return inputs


def connection(args) -> Optional[security_pb2.Connection]:
    secrets = parse_kv(args.secret, "--secret")
    configs = parse_kv(args.config, "--config")
    if not secrets and not configs and not args.connection_task_type:
        return None
    return security_pb2.Connection(task_type=args.connection_task_type or "", secrets=secrets, configs=configs)


def connection_summary(conn: Optional[security_pb2.Connection]) -> Optional[Dict[str, Any]]:
    if conn is None:
        return None
    return {"task_type": conn.task_type, "secret_keys": sorted(conn.secrets), "config_keys": sorted(conn.configs)}


class Driver:
    def __init__(self, endpoint: str, rpc_timeout: float):
        self.channel = grpc.insecure_channel(endpoint)
        self.timeout = rpc_timeout
        self.tasks = service_pb2_grpc.AsyncConnectorServiceStub(self.channel)
        self.meta = service_pb2_grpc.ConnectorMetadataServiceStub(self.channel)
        self.health = health_pb2_grpc.HealthStub(self.channel)
        self.codes: List[str] = []
        self.failed = False

    def call(self, fn, req, *, record: bool = True):
        """(response, None) or (None, {"code", "details"}); the code is appended to self.codes."""
        try:
            resp = fn(req, timeout=self.timeout)
            if record:
                self.codes.append("OK")
            return resp, None
        except grpc.RpcError as e:
            if record:
                self.codes.append(e.code().name)
            self.failed = True
            return None, rpc_error(e)

    def get_task(self, category, meta: bytes, conn, output_prefix: str = ""):
        req = connector_pb2.GetTaskRequest(task_category=category, resource_meta=meta, output_prefix=output_prefix)
        if conn is not None:
            req.connection.CopyFrom(conn)
        return self.call(self.tasks.GetTask, req)

    def delete_task(self, category, meta: bytes, conn) -> Dict[str, Any]:
        req = connector_pb2.DeleteTaskRequest(task_category=category, resource_meta=meta)
        if conn is not None:
            req.connection.CopyFrom(conn)
        _, err = self.call(self.tasks.DeleteTask, req)
        return err or {"code": "OK"}

    def logs(self, category, meta: bytes, token: Optional[str], max_pages: int) -> Dict[str, Any]:
        """GetTaskLogs; follows header tokens (unless a token was given) for up to max_pages calls."""
        pages = []
        next_token = token or ""
        follow = token is None
        for _ in range(max_pages):
            req = connector_pb2.GetTaskLogsRequest(task_category=category, resource_meta=meta, token=next_token)
            page: Dict[str, Any] = {"token": next_token, "responses": []}
            try:
                for resp in self.tasks.GetTaskLogs(req, timeout=self.timeout):
                    page["responses"].append(to_obj(resp))
                page["code"] = "OK"
                self.codes.append("OK")
            except grpc.RpcError as e:
                page.update(rpc_error(e))
                self.codes.append(e.code().name)
                self.failed = True
                pages.append(page)
                break
            pages.append(page)
            headers = [r["header"] for r in page["responses"] if "header" in r]
            next_token = headers[-1].get("token", "") if headers else ""
            if not follow or not next_token:
                break
        lines = [
            line.get("message", "")
            for p in pages
            for r in p["responses"]
            if "body" in r
            for line in r["body"].get("lines", [])
        ]
        return {"pages": pages, "messages": lines}

    def metrics(self, category, meta: bytes) -> Dict[str, Any]:
        req = connector_pb2.GetTaskMetricsRequest(task_category=category, resource_meta=meta, queries=["cpu"])
        resp, err = self.call(self.tasks.GetTaskMetrics, req)
        return err or {"code": "OK", **to_obj(resp)}


# ============================================================================ subcommands


def cmd_list(d: Driver, args) -> Dict[str, Any]:
    resp, err = d.call(d.meta.ListConnectors, connector_pb2.ListConnectorsRequest())
    return err or {"code": "OK", **to_obj(resp)}


def cmd_get_connector(d: Driver, args) -> Dict[str, Any]:
    resp, err = d.call(d.meta.GetConnector, connector_pb2.GetConnectorRequest(name=args.name))
    return err or {"code": "OK", **to_obj(resp)}


def cmd_health(d: Driver, args) -> Dict[str, Any]:
    t0 = time.monotonic()
    resp, err = d.call(d.health.Check, health_pb2.HealthCheckRequest(service=args.name))
    out = err or {"code": "OK", "status": health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)}
    out["service"] = args.name
    out["ms"] = round((time.monotonic() - t0) * 1000, 2)
    return out


def _create(d: Driver, args, out: Dict[str, Any]):
    template, spec = load_template(args.template, args.kind)
    inputs = asyncio.run(build_inputs(args, template, spec))
    conn = connection(args)
    out["task_type"] = template.type
    out["task_category"] = {"name": template.type, "version": template.task_type_version}
    out["inputs"] = to_obj(inputs)
    out["connection"] = connection_summary(conn)
    req = connector_pb2.CreateTaskRequest(template=template, output_prefix=args.output_prefix)
    if inputs.literals or inputs.context:
        req.inputs.CopyFrom(inputs)
    if conn is not None:
        req.connection.CopyFrom(conn)
    if args.task_execution_metadata:
        json_format.Parse(args.task_execution_metadata, req.task_execution_metadata)
    t0 = time.monotonic()
    resp, err = d.call(d.tasks.CreateTask, req)
    out["create"] = err or {"code": "OK", "resource_meta": decode_meta(resp.resource_meta)}
    out["create"]["ms"] = round((time.monotonic() - t0) * 1000, 2)
    category = parse_category(args.task_category) if args.task_category else connector_pb2.TaskCategory(
        name=template.type, version=template.task_type_version
    )
    return (resp.resource_meta if resp is not None else None), category, conn


def cmd_create(d: Driver, args) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    _create(d, args, out)
    out["codes"] = d.codes
    return out


def cmd_run(d: Driver, args) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    t_start = time.monotonic()
    meta, category, conn = _create(d, args, out)
    if meta is None:
        out["codes"] = d.codes
        return out
    polls: List[Dict[str, Any]] = []
    resource = None
    for i in range(args.max_polls):
        if i:
            time.sleep(args.poll_interval)
        resp, err = d.get_task(category, meta, conn, args.output_prefix)
        if err:
            polls.append(err)
            break
        resource = resp.resource
        polls.append({"code": "OK", "phase": phase_name(resource.phase), "message": resource.message})
        if resource.phase in TERMINAL:
            break
    out["polls"] = polls
    if resource is not None:
        out["resource"] = to_obj(resource)
        out["phase"] = phase_name(resource.phase)
        out["terminal"] = resource.phase in TERMINAL
    if args.logs:
        out["logs"] = d.logs(category, meta, None, args.max_pages)
    if args.metrics:
        out["metrics"] = d.metrics(category, meta)
    if args.delete or (args.delete_if_running and not out.get("terminal")):
        out["delete"] = d.delete_task(category, meta, conn)
    out["codes"] = d.codes
    out["seconds"] = round(time.monotonic() - t_start, 3)
    return out


def _meta_arg(args) -> bytes:
    m = args.meta
    if m.startswith("@"):
        return open(m[1:], "rb").read()
    if args.meta_base64:
        return base64.b64decode(m)
    return m.encode("utf-8")


def cmd_get(d: Driver, args) -> Dict[str, Any]:
    resp, err = d.get_task(parse_category(args.category), _meta_arg(args), connection(args))
    return err or {"code": "OK", "resource": to_obj(resp.resource), "phase": phase_name(resp.resource.phase)}


def cmd_delete(d: Driver, args) -> Dict[str, Any]:
    return d.delete_task(parse_category(args.category), _meta_arg(args), connection(args))


def cmd_logs(d: Driver, args) -> Dict[str, Any]:
    out = d.logs(parse_category(args.category), _meta_arg(args), args.token, args.max_pages)
    out["codes"] = d.codes
    return out


def cmd_metrics(d: Driver, args) -> Dict[str, Any]:
    return d.metrics(parse_category(args.category), _meta_arg(args))


# ============================================================================ main


def _add_connection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--secret", action="append", default=[], metavar="K=V", help="connection.secrets entry")
    p.add_argument("--config", action="append", default=[], metavar="K=V", help="connection.configs entry")
    p.add_argument("--connection-task-type", default="", help="connection.task_type")


def _add_meta(p: argparse.ArgumentParser) -> None:
    p.add_argument("--category", required=True, metavar="NAME[:VERSION]", help="task_category")
    p.add_argument("--meta", required=True, help="resource_meta: the JSON text, or @FILE")
    p.add_argument("--meta-base64", action="store_true", help="--meta is base64")


def _add_create(p: argparse.ArgumentParser) -> None:
    p.add_argument("template", help="TaskSpec or TaskTemplate file (.pb or .json)")
    p.add_argument("--kind", choices=["auto", "spec", "template"], default="auto")
    p.add_argument("--input", action="append", default=[], metavar="NAME=JSON")
    p.add_argument("--inputs-file", help="a flyteidl2.task.Inputs (.pb or .json)")
    p.add_argument("--no-defaults", action="store_true", help="do not fill in TaskSpec.default_inputs")
    p.add_argument("--output-prefix", default="/tmp/agentctl2-drive/out")
    p.add_argument(
        "--task-execution-metadata", metavar="JSON", help="CreateTaskRequest.task_execution_metadata (proto3 JSON)"
    )
    p.add_argument("--task-category", metavar="NAME[:VERSION]", help="Get/Delete category (default: the template's)")
    _add_connection(p)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", required=True, metavar="HOST:PORT")
    p.add_argument("--rpc-timeout", type=float, default=10.0, help="deadline of each call (s)")
    sub = p.add_subparsers(dest="cmd", required=True)

    sub.add_parser("list", help="ListConnectors")
    s = sub.add_parser("get-connector", help="GetConnector")
    s.add_argument("name")
    s = sub.add_parser("health", help="grpc.health.v1 Check")
    s.add_argument("name", nargs="?", default="")

    s = sub.add_parser("run", help="CreateTask, poll GetTask until terminal")
    _add_create(s)
    s.add_argument("--poll-interval", type=float, default=0.1)
    s.add_argument("--max-polls", type=int, default=100)
    s.add_argument("--delete", action="store_true", help="DeleteTask at the end")
    s.add_argument("--delete-if-running", action="store_true", help="DeleteTask if no terminal phase was reached")
    s.add_argument("--logs", action="store_true", help="GetTaskLogs at the end (all pages)")
    s.add_argument("--metrics", action="store_true", help="GetTaskMetrics at the end")
    s.add_argument("--max-pages", type=int, default=20)

    s = sub.add_parser("create", help="CreateTask only")
    _add_create(s)

    for name in ("get", "delete"):
        s = sub.add_parser(name, help=f"{name.capitalize()}Task")
        _add_meta(s)
        _add_connection(s)
    s = sub.add_parser("logs", help="GetTaskLogs")
    _add_meta(s)
    s.add_argument("--token", default=None, help="fetch only this page (default: follow from the first)")
    s.add_argument("--max-pages", type=int, default=20)
    s = sub.add_parser("metrics", help="GetTaskMetrics")
    _add_meta(s)
    return p.parse_args(argv)


COMMANDS = {
    "list": cmd_list,
    "get-connector": cmd_get_connector,
    "health": cmd_health,
    "run": cmd_run,
    "create": cmd_create,
    "get": cmd_get,
    "delete": cmd_delete,
    "logs": cmd_logs,
    "metrics": cmd_metrics,
}


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    d = Driver(args.endpoint, args.rpc_timeout)
    try:
        out = COMMANDS[args.cmd](d, args)
    finally:
        d.channel.close()
    print(json.dumps(out, sort_keys=True, indent=None if args.cmd in ("health",) else 2))
    return EXIT_RPC_ERROR if d.failed else 0


if __name__ == "__main__":
    sys.exit(main())
