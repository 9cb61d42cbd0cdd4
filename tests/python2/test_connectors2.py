"""Flyte 2 test connectors for agentctl's integration tests (flyte 2.12.1 connector API).

Importing this module registers the connectors below in ``flyte.connectors.ConnectorRegistry``;
``launch_c0.py --modules test_connectors2`` (or ``c0 --modules test_connectors2`` with this
directory on ``sys.path``) then serves them over the SDK's real ``c0`` gRPC server. All task types
are version 0. Every connector has its own name, so ListConnectors lists one connector per task type.

Differences from the Flyte 1 API (tests/python/test_connectors.py) that shape this file:

* ``create`` gets the inputs as **native Python values** (c0 converts the ``task.Inputs`` with
  types guessed from ``template.interface.inputs``; undeclared inputs never arrive);
* ``connection.secrets`` and ``connection.configs`` arrive merged as **keyword arguments** of
  ``create``, ``get`` and ``delete`` (not of ``get_logs``/``get_metrics``), so a connector cannot
  tell a secret from a config: the logs below call them ``connection_keys``;
* ``Resource.outputs`` is a dict whose order becomes the order of ``task.Outputs``; literal types
  are inferred from the Python values.

==========================  ====================================================================
task type                   behaviour
==========================  ====================================================================
agentctl2_success           1st get RUNNING "working" + log link ``console`` ->
                            http://127.0.0.1/log/<id> (link_type DASHBOARD, ready true);
                            2nd get SUCCEEDED "done", outputs ``y = x * 2`` (if input x) then
                            ``greeting = "hello " + name`` (if input name), same link,
                            custom_info {"k": [1, "a"]}
agentctl2_fail              get -> FAILED "boom: the job failed"
agentctl2_retryable         RETRYABLE_FAILED "flaky" until the counter file says it failed
                            ``custom.fails`` (default 1) times, then SUCCEEDED
agentctl2_create_error      create raises "create exploded" (gRPC INTERNAL)
agentctl2_forever           always RUNNING "still running"
agentctl2_secret            needs kwarg ``api_key`` (connection.secrets/configs) at create and
                            at get: SUCCEEDED with output ``key_len`` (int) when both had it,
                            else FAILED "agentctl2_secret: api_key was not given to <op>"
                            (the value itself is never logged nor returned)
agentctl2_logs              get -> SUCCEEDED "logs ready"; get_logs streams 3 pages (token ""
                            -> "page-1" -> "page-2" -> end): each page is a header with the
                            next token ("" on the last page) and then 2 bodies of lines, some
                            ending in "\\r" (a progress bar); an unknown token raises;
                            get_metrics returns one ``cpu`` result
agentctl2_echo              get -> SUCCEEDED "echoed", output ``received`` = JSON (sorted keys)
                            of what create received (``{"inputs": {...}, "types": {...}}``)
agentctl2_slow              SUCCEEDED "slept" once ``custom.seconds`` (default 1.0) have passed
                            since create, else RUNNING "sleeping"
==========================  ====================================================================

State files live in ``$AGENTCTL_TEST_STATE_DIR`` (created if missing):

* ``creates.jsonl``: one JSON object per create of every connector except agentctl2_slow (kept
  cheap for the benchmark) and agentctl2_create_error (which raises first):
  ``{"task_type", "task_name", "attempt", "retry_attempt", "output_prefix",
  "task_execution_metadata", "inputs", "input_types", "inputs_received", "connection_keys"}``
  plus ``will_fail`` for agentctl2_retryable.

  - ``inputs``: the native values c0 passed, made JSON-safe (datetime -> ISO string, timedelta ->
    seconds, dataclass -> dict, bytes -> base64, anything else -> repr);
    ``input_types``: ``type(value).__name__`` per input;
  - ``inputs_received``: for every input declared in ``template.interface.inputs``, whether
    create got a value for it (c0 passes only what the request carried);
  - ``connection_keys``: sorted names of the extra keyword arguments (connection secrets and
    configs), never their values;
  - ``retry_attempt``: ``task_execution_metadata.task_execution_id.retry_attempt`` when the
    request carried a non-empty task_execution_metadata, else null; ``task_execution_metadata``
    is its proto3 JSON (null when absent or empty); ``attempt`` is this server's 0-based count
    of creates for that task name.
* ``gets.jsonl``: one ``{"task_type", "id", "connection_keys", "has_api_key"}`` line per get of
  agentctl2_success and agentctl2_secret.
* ``retryable-<task name>.count``: how many times that task has failed so far.
* ``deletes.jsonl``: one ``{"resource_meta": {...}, "connection_keys": [...]}`` line per delete,
  for every connector (every resource meta carries ``task_type``).
* ``terminal.jsonl``: one ``{"id", "t"}`` line each time agentctl2_slow's get answers SUCCEEDED;
  ``t`` is ``time.time()`` just before it returns (for benchmarks).

Without ``AGENTCTL_TEST_STATE_DIR`` the counters are kept in memory and nothing is logged.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import fcntl
import json
import os
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any, AsyncIterator, Dict, List, Optional

from flyteidl2.connector.connector_pb2 import (
    GetTaskLogsResponse,
    GetTaskLogsResponseBody,
    GetTaskLogsResponseHeader,
    GetTaskMetricsResponse,
)
from flyteidl2.core.execution_pb2 import TaskExecution, TaskLog
from flyteidl2.core.metrics_pb2 import ExecutionMetricResult
from flyteidl2.core.tasks_pb2 import TaskTemplate
from flyteidl2.logs.dataplane.payload_pb2 import LogLine, LogLineOriginator
from google.protobuf import json_format
from google.protobuf.struct_pb2 import Struct
from google.protobuf.timestamp_pb2 import Timestamp

from flyte.connectors import AsyncConnector, ConnectorRegistry, Resource, ResourceMeta

STATE_DIR_ENV = "AGENTCTL_TEST_STATE_DIR"
SECRET_KWARG = "api_key"

# create/get/delete keyword arguments that are not connection secrets or configs.
_NON_CONNECTION_KWARGS = {"task_template", "output_prefix", "inputs", "task_execution_metadata", "resource_meta"}

_lock = threading.Lock()
_memory_counters: Dict[str, int] = {}
_success_gets: Dict[str, int] = {}


# --------------------------------------------------------------------------- helpers


def _state_dir() -> Optional[str]:
    d = os.environ.get(STATE_DIR_ENV)
    if not d:
        return None
    os.makedirs(d, exist_ok=True)
    return d


def _append_jsonl(filename: str, record: Dict[str, Any]) -> None:
    d = _state_dir()
    if d is None:
        return
    line = json.dumps(record, sort_keys=True) + "\n"
    with open(os.path.join(d, filename), "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(line)
        f.flush()


def _bump_counter_if_below(key: str, limit: int) -> tuple[int, bool]:
    """Atomically: read counter ``key``; if it is below ``limit`` increment it.

    Returns (value before, whether it was incremented)."""
    d = _state_dir()
    with _lock:
        if d is None:
            before = _memory_counters.get(key, 0)
            if before < limit:
                _memory_counters[key] = before + 1
                return before, True
            return before, False
        path = os.path.join(d, f"{key}.count")
        with open(path, "a+", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0)
            text = f.read().strip()
            before = int(text) if text else 0
            if before < limit:
                f.seek(0)
                f.truncate()
                f.write(str(before + 1))
                f.flush()
                return before, True
            return before, False


def _count_creates(key: str) -> int:
    """0-based number of creates seen so far for ``key`` (in this server)."""
    with _lock:
        n = _memory_counters.get("creates:" + key, 0)
        _memory_counters["creates:" + key] = n + 1
        return n


def _custom(template: TaskTemplate) -> Dict[str, Any]:
    """template.custom as a dict (Struct numbers are floats)."""
    return json_format.MessageToDict(template.custom) if template.HasField("custom") else {}


def _task_name(template: TaskTemplate) -> str:
    return template.id.name or template.type


def _connection_keys(kwargs: Dict[str, Any]) -> List[str]:
    return sorted(k for k in kwargs if k not in _NON_CONNECTION_KWARGS)


def _jsonable(v: Any) -> Any:
    """A JSON-safe rendering of a native input value (for the logs, not for round trips)."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, datetime.datetime):
        return v.isoformat()
    if isinstance(v, datetime.timedelta):
        return v.total_seconds()
    if isinstance(v, bytes):
        return base64.b64encode(v).decode("ascii")
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {f.name: _jsonable(getattr(v, f.name)) for f in dataclasses.fields(v)}
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return repr(v)


def _tem_dict(tem: Any) -> Optional[Dict[str, Any]]:
    """task_execution_metadata (a flyteidl2 proto) as proto3 JSON, or None if absent/empty."""
    if tem is None:
        return None
    try:
        d = json_format.MessageToDict(tem)
    except Exception:  # pragma: no cover - best effort logging only
        return None
    return d or None


def _retry_attempt(tem: Any) -> Optional[int]:
    if _tem_dict(tem) is None:
        return None
    return int(tem.task_execution_id.retry_attempt)


def _log_create(
    template: TaskTemplate,
    output_prefix: str,
    inputs: Optional[Dict[str, Any]],
    task_execution_metadata: Any,
    kwargs: Dict[str, Any],
    **extra: Any,
) -> None:
    inputs = inputs or {}
    task_name = _task_name(template)
    record = {
        "task_type": template.type,
        "task_name": task_name,
        "attempt": _count_creates(task_name),
        "retry_attempt": _retry_attempt(task_execution_metadata),
        "output_prefix": output_prefix,
        "task_execution_metadata": _tem_dict(task_execution_metadata),
        "inputs": {k: _jsonable(v) for k, v in inputs.items()},
        "input_types": {k: type(v).__name__ for k, v in inputs.items()},
        "inputs_received": {e.key: e.key in inputs for e in template.interface.inputs.variables},
        "connection_keys": _connection_keys(kwargs),
    }
    record.update(extra)
    _append_jsonl("creates.jsonl", record)


class _LogDeletes:
    """Mixin: record every delete in deletes.jsonl."""

    async def delete(self, resource_meta: ResourceMeta, **kwargs) -> None:
        _append_jsonl(
            "deletes.jsonl",
            {"resource_meta": asdict(resource_meta), "connection_keys": _connection_keys(kwargs)},
        )


@dataclass
class SimpleMeta(ResourceMeta):
    id: str
    task_type: str


# --------------------------------------------------------------------------- success


@dataclass
class SuccessMeta(ResourceMeta):
    id: str
    task_type: str = "agentctl2_success"
    x: Optional[int] = None
    name: Optional[str] = None


class SuccessConnector(_LogDeletes, AsyncConnector[SuccessMeta]):
    name = "Agentctl2 Test Success Connector"
    task_type_name = "agentctl2_success"
    metadata_type = SuccessMeta

    async def create(
        self,
        task_template: TaskTemplate,
        output_prefix: str,
        inputs: Optional[Dict[str, Any]] = None,
        task_execution_metadata: Any = None,
        **kwargs,
    ) -> SuccessMeta:
        _log_create(task_template, output_prefix, inputs, task_execution_metadata, kwargs)
        inputs = inputs or {}
        x = inputs.get("x")
        name = inputs.get("name")
        return SuccessMeta(
            id=uuid.uuid4().hex,
            x=int(x) if x is not None else None,
            name=str(name) if name is not None else None,
        )

    async def get(self, resource_meta: SuccessMeta, **kwargs) -> Resource:
        _append_jsonl(
            "gets.jsonl",
            {
                "task_type": resource_meta.task_type,
                "id": resource_meta.id,
                "connection_keys": _connection_keys(kwargs),
                "has_api_key": SECRET_KWARG in kwargs,
            },
        )
        with _lock:
            n = _success_gets.get(resource_meta.id, 0)
            _success_gets[resource_meta.id] = n + 1
        links = [
            TaskLog(
                name="console",
                uri=f"http://127.0.0.1/log/{resource_meta.id}",
                link_type=TaskLog.DASHBOARD,
                ready=True,
            )
        ]
        if n == 0:
            return Resource(phase=TaskExecution.RUNNING, message="working", log_links=links)
        outputs: Dict[str, Any] = {}
        if resource_meta.x is not None:
            outputs["y"] = int(resource_meta.x) * 2
        if resource_meta.name is not None:
            outputs["greeting"] = "hello " + str(resource_meta.name)
        return Resource(
            phase=TaskExecution.SUCCEEDED,
            message="done",
            log_links=links,
            outputs=outputs,
            custom_info={"k": [1, "a"]},
        )


# --------------------------------------------------------------------------- fail


class FailConnector(_LogDeletes, AsyncConnector[SimpleMeta]):
    name = "Agentctl2 Test Fail Connector"
    task_type_name = "agentctl2_fail"
    metadata_type = SimpleMeta

    async def create(
        self, task_template: TaskTemplate, output_prefix: str, inputs=None, task_execution_metadata=None, **kwargs
    ) -> SimpleMeta:
        _log_create(task_template, output_prefix, inputs, task_execution_metadata, kwargs)
        return SimpleMeta(id=uuid.uuid4().hex, task_type=self.task_type_name)

    async def get(self, resource_meta: SimpleMeta, **kwargs) -> Resource:
        return Resource(phase=TaskExecution.FAILED, message="boom: the job failed")


# --------------------------------------------------------------------------- retryable


@dataclass
class RetryableMeta(ResourceMeta):
    id: str
    task_name: str
    will_fail: bool
    failures_before: int
    fails: int
    task_type: str = "agentctl2_retryable"


class RetryableConnector(_LogDeletes, AsyncConnector[RetryableMeta]):
    """Fails (RETRYABLE_FAILED) the first ``custom.fails`` attempts of each task name.

    Whether an attempt fails is decided (and the counter file bumped) at create time and carried
    in the resource meta, so repeated GetTask calls on one attempt always give the same answer."""

    name = "Agentctl2 Test Retryable Connector"
    task_type_name = "agentctl2_retryable"
    metadata_type = RetryableMeta

    async def create(
        self, task_template: TaskTemplate, output_prefix: str, inputs=None, task_execution_metadata=None, **kwargs
    ) -> RetryableMeta:
        task_name = _task_name(task_template)
        fails = int(_custom(task_template).get("fails", 1))
        before, will_fail = _bump_counter_if_below(f"retryable-{task_name}", fails)
        _log_create(task_template, output_prefix, inputs, task_execution_metadata, kwargs, will_fail=will_fail)
        return RetryableMeta(
            id=uuid.uuid4().hex, task_name=task_name, will_fail=will_fail, failures_before=before, fails=fails
        )

    async def get(self, resource_meta: RetryableMeta, **kwargs) -> Resource:
        if resource_meta.will_fail:
            return Resource(phase=TaskExecution.RETRYABLE_FAILED, message="flaky")
        return Resource(
            phase=TaskExecution.SUCCEEDED,
            message=f"succeeded after {resource_meta.failures_before} failure(s)",
        )


# --------------------------------------------------------------------------- create error


class CreateErrorConnector(_LogDeletes, AsyncConnector[SimpleMeta]):
    name = "Agentctl2 Test Create Error Connector"
    task_type_name = "agentctl2_create_error"
    metadata_type = SimpleMeta

    async def create(self, task_template: TaskTemplate, output_prefix: str, inputs=None, **kwargs) -> SimpleMeta:
        raise RuntimeError("create exploded")

    async def get(self, resource_meta: SimpleMeta, **kwargs) -> Resource:
        return Resource(phase=TaskExecution.FAILED, message="create_error has no jobs")


# --------------------------------------------------------------------------- forever


class ForeverConnector(_LogDeletes, AsyncConnector[SimpleMeta]):
    name = "Agentctl2 Test Forever Connector"
    task_type_name = "agentctl2_forever"
    metadata_type = SimpleMeta

    async def create(
        self, task_template: TaskTemplate, output_prefix: str, inputs=None, task_execution_metadata=None, **kwargs
    ) -> SimpleMeta:
        _log_create(task_template, output_prefix, inputs, task_execution_metadata, kwargs)
        return SimpleMeta(id=uuid.uuid4().hex, task_type=self.task_type_name)

    async def get(self, resource_meta: SimpleMeta, **kwargs) -> Resource:
        return Resource(phase=TaskExecution.RUNNING, message="still running")


# --------------------------------------------------------------------------- secret


@dataclass
class SecretMeta(ResourceMeta):
    id: str
    key_len: Optional[int] = None
    task_type: str = "agentctl2_secret"


class SecretConnector(_LogDeletes, AsyncConnector[SecretMeta]):
    """Needs the ``api_key`` keyword argument (from CreateTaskRequest.connection) at create and
    get. Only the key's length is kept (in the meta) and returned; the value is never logged."""

    name = "Agentctl2 Test Secret Connector"
    task_type_name = "agentctl2_secret"
    metadata_type = SecretMeta

    async def create(
        self,
        task_template: TaskTemplate,
        output_prefix: str,
        inputs=None,
        task_execution_metadata=None,
        api_key: Optional[str] = None,
        **kwargs,
    ) -> SecretMeta:
        seen = dict(kwargs)
        if api_key is not None:
            seen[SECRET_KWARG] = None
        _log_create(task_template, output_prefix, inputs, task_execution_metadata, seen)
        return SecretMeta(id=uuid.uuid4().hex, key_len=len(api_key) if api_key is not None else None)

    async def get(self, resource_meta: SecretMeta, api_key: Optional[str] = None, **kwargs) -> Resource:
        seen = dict(kwargs)
        if api_key is not None:
            seen[SECRET_KWARG] = None
        _append_jsonl(
            "gets.jsonl",
            {
                "task_type": resource_meta.task_type,
                "id": resource_meta.id,
                "connection_keys": _connection_keys(seen),
                "has_api_key": api_key is not None,
            },
        )
        if resource_meta.key_len is None:
            return Resource(phase=TaskExecution.FAILED, message="agentctl2_secret: api_key was not given to create")
        if api_key is None:
            return Resource(phase=TaskExecution.FAILED, message="agentctl2_secret: api_key was not given to get")
        if len(api_key) != resource_meta.key_len:
            return Resource(phase=TaskExecution.FAILED, message="agentctl2_secret: api_key changed after create")
        return Resource(phase=TaskExecution.SUCCEEDED, message="secret seen", outputs={"key_len": len(api_key)})

    async def delete(self, resource_meta: SecretMeta, api_key: Optional[str] = None, **kwargs) -> None:
        seen = dict(kwargs)
        if api_key is not None:
            seen[SECRET_KWARG] = None
        await super().delete(resource_meta, **seen)


# --------------------------------------------------------------------------- logs

# Three pages of log lines; "\r" endings are progress-bar redraws.
LOG_PAGES: List[List[tuple[int, str]]] = [
    [
        (LogLineOriginator.SYSTEM, "job accepted"),
        (LogLineOriginator.USER, "step 1/3: download"),
        (LogLineOriginator.USER, "progress  10%\r"),
        (LogLineOriginator.USER, "progress  55%\r"),
        (LogLineOriginator.USER, "progress 100%\r"),
        (LogLineOriginator.USER, "download complete"),
    ],
    [
        (LogLineOriginator.USER, "step 2/3: compute"),
        (LogLineOriginator.SYSTEM, "warning: node is busy"),
        (LogLineOriginator.USER, "computed 42 rows"),
    ],
    [
        (LogLineOriginator.USER, "step 3/3: upload"),
        (LogLineOriginator.UNKNOWN, "done"),
    ],
]
LOG_TOKENS = [""] + [f"page-{i}" for i in range(1, len(LOG_PAGES))]


@dataclass
class LogsMeta(ResourceMeta):
    id: str
    created_at: float
    task_type: str = "agentctl2_logs"


class LogsConnector(_LogDeletes, AsyncConnector[LogsMeta]):
    """Succeeds at once; its logs come in pages addressed by token ("", "page-1", "page-2").

    One GetTaskLogs call streams one page: a header whose token names the next page ("" after
    the last page), then the page's lines split over two bodies. c0 passes the connector only
    ``resource_meta`` and ``token`` (not ``lines``), so the page size is fixed."""

    name = "Agentctl2 Test Logs Connector"
    task_type_name = "agentctl2_logs"
    metadata_type = LogsMeta

    async def create(
        self, task_template: TaskTemplate, output_prefix: str, inputs=None, task_execution_metadata=None, **kwargs
    ) -> LogsMeta:
        _log_create(task_template, output_prefix, inputs, task_execution_metadata, kwargs)
        return LogsMeta(id=uuid.uuid4().hex, created_at=time.time())

    async def get(self, resource_meta: LogsMeta, **kwargs) -> Resource:
        return Resource(
            phase=TaskExecution.SUCCEEDED,
            message="logs ready",
            log_links=[TaskLog(name="logs", uri=f"http://127.0.0.1/logs/{resource_meta.id}", ready=True)],
        )

    async def get_logs(self, resource_meta: LogsMeta, token: str = "", **kwargs) -> AsyncIterator[GetTaskLogsResponse]:
        if token not in LOG_TOKENS:
            raise ValueError(f"agentctl2_logs: unknown token {token!r}")
        page = LOG_TOKENS.index(token)
        next_token = LOG_TOKENS[page + 1] if page + 1 < len(LOG_TOKENS) else ""
        yield GetTaskLogsResponse(header=GetTaskLogsResponseHeader(token=next_token))
        lines = LOG_PAGES[page]
        half = (len(lines) + 1) // 2
        base = sum(len(p) for p in LOG_PAGES[:page])
        for chunk_start, chunk in ((0, lines[:half]), (half, lines[half:])):
            body = GetTaskLogsResponseBody()
            for i, (originator, message) in enumerate(chunk):
                ts = Timestamp()
                # one line per second after create, numbered across pages
                ts.FromNanoseconds(int(resource_meta.created_at * 1e9) + (base + chunk_start + i) * 1_000_000_000)
                body.lines.append(LogLine(timestamp=ts, message=message, originator=originator))
            yield GetTaskLogsResponse(body=body)

    async def get_metrics(self, resource_meta: LogsMeta, **kwargs) -> GetTaskMetricsResponse:
        data = Struct()
        data.update(
            {
                "resultType": "matrix",
                "result": [
                    {
                        "metric": {"task": resource_meta.id},
                        "values": [[resource_meta.created_at, "0.25"], [resource_meta.created_at + 1, "0.75"]],
                    }
                ],
            }
        )
        return GetTaskMetricsResponse(results=[ExecutionMetricResult(metric="cpu", data=data)])


# --------------------------------------------------------------------------- echo


@dataclass
class EchoMeta(ResourceMeta):
    id: str
    received: str
    task_type: str = "agentctl2_echo"


class EchoConnector(_LogDeletes, AsyncConnector[EchoMeta]):
    """Succeeds at once with one string output ``received``: the JSON of the native inputs c0
    handed to create (``{"inputs": {...}, "types": {...}}``, as in creates.jsonl)."""

    name = "Agentctl2 Test Echo Connector"
    task_type_name = "agentctl2_echo"
    metadata_type = EchoMeta

    async def create(
        self, task_template: TaskTemplate, output_prefix: str, inputs=None, task_execution_metadata=None, **kwargs
    ) -> EchoMeta:
        _log_create(task_template, output_prefix, inputs, task_execution_metadata, kwargs)
        inputs = inputs or {}
        received = json.dumps(
            {
                "inputs": {k: _jsonable(v) for k, v in inputs.items()},
                "types": {k: type(v).__name__ for k, v in inputs.items()},
            },
            sort_keys=True,
        )
        return EchoMeta(id=uuid.uuid4().hex, received=received)

    async def get(self, resource_meta: EchoMeta, **kwargs) -> Resource:
        return Resource(phase=TaskExecution.SUCCEEDED, message="echoed", outputs={"received": resource_meta.received})


# --------------------------------------------------------------------------- slow


@dataclass
class SlowMeta(ResourceMeta):
    id: str
    created_at: float
    seconds: float
    task_type: str = "agentctl2_slow"


class SlowConnector(_LogDeletes, AsyncConnector[SlowMeta]):
    name = "Agentctl2 Test Slow Connector"
    task_type_name = "agentctl2_slow"
    metadata_type = SlowMeta

    async def create(self, task_template: TaskTemplate, output_prefix: str, inputs=None, **kwargs) -> SlowMeta:
        seconds = float(_custom(task_template).get("seconds", 1.0))
        return SlowMeta(id=uuid.uuid4().hex, created_at=time.time(), seconds=seconds)

    async def get(self, resource_meta: SlowMeta, **kwargs) -> Resource:
        if time.time() - resource_meta.created_at >= resource_meta.seconds:
            _append_jsonl("terminal.jsonl", {"id": resource_meta.id, "t": time.time()})
            return Resource(phase=TaskExecution.SUCCEEDED, message="slept")
        return Resource(phase=TaskExecution.RUNNING, message="sleeping")


CONNECTORS = [
    SuccessConnector(),
    FailConnector(),
    RetryableConnector(),
    CreateErrorConnector(),
    ForeverConnector(),
    SecretConnector(),
    LogsConnector(),
    EchoConnector(),
    SlowConnector(),
]

for _c in CONNECTORS:
    try:
        ConnectorRegistry.register(_c)
    except ValueError:
        # Already registered: this file was imported a second time under another module
        # name (e.g. by a loader); keep the first registration.
        pass
