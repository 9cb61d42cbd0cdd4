"""Test connectors for agentctl's integration tests (flytekit 1.16 connector API).

Importing this module registers the connectors below in flytekit's
``ConnectorRegistry``; ``launch_server.py --modules test_connectors`` then serves
them over the real flytekit gRPC connector server. All task types are version 0.

=============================  =====  ==========================================
task type                      kind   behaviour
=============================  =====  ==========================================
agentctl_test_success          async  1st get RUNNING "working" + log link
                                      ``console`` -> http://127.0.0.1/log/<id>;
                                      2nd get SUCCEEDED, outputs ``y = x * 2``
                                      (if input x), ``greeting = "hello " + name``
                                      (if input name), custom_info {"k": [1, "a"]}
agentctl_test_fail             async  get -> FAILED "boom: the job failed"
agentctl_test_retryable        async  RETRYABLE_FAILED "flaky" until the counter
                                      file says it failed ``custom.fails``
                                      (default 1) times, then SUCCEEDED; every
                                      create is logged to creates.jsonl
agentctl_test_create_error     async  create raises "create exploded"
agentctl_test_forever          async  always RUNNING; delete is logged to
                                      deletes.jsonl
agentctl_test_echo             sync   do -> SUCCEEDED, outputs = inputs
agentctl_test_slow             async  SUCCEEDED once ``custom.seconds`` (default
                                      1.0) have passed since create
agentctl_test_logs             async  get -> SUCCEEDED "logs ready"; get_logs
                                      returns one GetTaskLogsResponse (a body of
                                      3 lines, "\\r" on the 2nd) and logs the call
                                      to logs.jsonl, but flytekit 1.16's server
                                      sends the client an EMPTY stream (status
                                      OK); get_metrics returns one ``cpu`` result
agentctl_check                 async  ``agentctl check``'s connector: the
                                      template's ``custom.breaks`` picks a mode
                                      that breaks one of check's rules (see
                                      "check" below); creates are logged to
                                      creates.jsonl, deletes to deletes.jsonl
agentctl_check_hang            async  agentctl_check's ``good`` mode, but a get
                                      whose meta does not decode never answers
=============================  =====  ==========================================

State files live in ``$AGENTCTL_TEST_STATE_DIR`` (created if missing):

* ``creates.jsonl``: one JSON object per create of agentctl_test_retryable
  (agentctl_check's: ``{"task_type", "id", "breaks"}``):
  ``{"task_type", "task_name", "retry_attempt", "attempt", "will_fail",
  "output_prefix", "task_execution_metadata"}``. ``retry_attempt`` is
  ``task_execution_metadata.task_execution_id.retry_attempt`` when the client
  sent a non-empty task_execution_metadata, else null (flytekit's server turns
  an absent one into an empty model, so absent and all-default look the same);
  ``task_execution_metadata`` is its proto3 JSON with empty parts dropped;
  ``attempt`` is this server process's 0-based count of creates for that task
  name.
* ``retryable-<task name>.count``: how many times that task has failed so far.
* ``deletes.jsonl``: one ``{"resource_meta": {...}}`` line per delete of
  agentctl_test_forever (other async test connectors log their deletes there
  too; every resource meta carries ``task_type``).
* ``terminal.jsonl``: one ``{"id", "t"}`` line each time agentctl_test_slow's
  get answers SUCCEEDED; ``t`` is ``time.time()`` just before it returns (used by
  bench/run to measure the delay from that answer to the client's exit).
* ``logs.jsonl``: one ``{"id", "kwargs"}`` line per get_logs of
  agentctl_test_logs (``kwargs``: the sorted names of the other keyword
  arguments flytekit passed); ``metrics.jsonl`` the same per get_metrics.

Without ``AGENTCTL_TEST_STATE_DIR`` the counters are kept in memory and nothing
is logged.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any, Dict, Optional

from flyteidl.admin.agent_pb2 import (
    GetTaskLogsResponse,
    GetTaskLogsResponseBody,
    GetTaskMetricsResponse,
    LogLine,
    LogLineOriginator,
)
from flyteidl.core.execution_pb2 import TaskExecution, TaskLog
from flyteidl.core.metrics_pb2 import ExecutionMetricResult
from google.protobuf import json_format
from google.protobuf.struct_pb2 import Struct
from google.protobuf.timestamp_pb2 import Timestamp

from flytekit.extend.backend.base_connector import (
    AsyncConnectorBase,
    ConnectorRegistry,
    Resource,
    ResourceMeta,
    SyncConnectorBase,
)
from flytekit.models.literals import LiteralMap
from flytekit.models.task import TaskExecutionMetadata, TaskTemplate

STATE_DIR_ENV = "AGENTCTL_TEST_STATE_DIR"

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
    return dict(template.custom or {})


def _task_name(template: TaskTemplate) -> str:
    return template.id.name if template.id and template.id.name else template.type


def _primitive(lit) -> Any:
    """Python value of a scalar primitive literal (models.literals.Literal), else None."""
    try:
        p = lit.scalar.primitive
    except AttributeError:
        return None
    return None if p is None else p.value


def _prune(v: Any) -> Any:
    """Drop empty dicts/lists recursively (flytekit's model round trip turns unset
    sub-messages into empty ones, so presence is judged by content)."""
    if isinstance(v, dict):
        d = {k: _prune(x) for k, x in v.items()}
        return {k: x for k, x in d.items() if x not in ({}, [], None)}
    if isinstance(v, list):
        return [_prune(x) for x in v]
    return v


def _tem_dict(tem: Optional[TaskExecutionMetadata]) -> Optional[Dict[str, Any]]:
    """task_execution_metadata as proto3 JSON (camelCase), or None if not sent/empty."""
    if tem is None:
        return None
    try:
        d = _prune(json_format.MessageToDict(tem.to_flyte_idl()))
    except Exception:  # pragma: no cover - best effort logging only
        return None
    return d or None


def _retry_attempt(tem: Optional[TaskExecutionMetadata]) -> Optional[int]:
    if _tem_dict(tem) is None:
        return None  # client sent no (or an empty) task_execution_metadata
    try:
        return int(tem.task_execution_id.retry_attempt)
    except AttributeError:
        return None


class _LogDeletes:
    """Mixin: record every delete in deletes.jsonl."""

    def delete(self, resource_meta: ResourceMeta, **kwargs) -> None:
        _append_jsonl("deletes.jsonl", {"resource_meta": asdict(resource_meta)})


# --------------------------------------------------------------------------- success


@dataclass
class SuccessMeta(ResourceMeta):
    id: str
    task_type: str = "agentctl_test_success"
    x: Optional[int] = None
    name: Optional[str] = None


class SuccessConnector(_LogDeletes, AsyncConnectorBase):
    name = "Agentctl Test Success Connector"

    def __init__(self):
        super().__init__(task_type_name="agentctl_test_success", metadata_type=SuccessMeta)

    def create(
        self,
        task_template: TaskTemplate,
        output_prefix: str,
        inputs: Optional[LiteralMap] = None,
        task_execution_metadata: Optional[TaskExecutionMetadata] = None,
        **kwargs,
    ) -> SuccessMeta:
        lits = inputs.literals if inputs is not None else {}
        x = _primitive(lits["x"]) if "x" in lits else None
        name = _primitive(lits["name"]) if "name" in lits else None
        return SuccessMeta(id=uuid.uuid4().hex, x=x, name=name)

    def get(self, resource_meta: SuccessMeta, **kwargs) -> Resource:
        with _lock:
            n = _success_gets.get(resource_meta.id, 0)
            _success_gets[resource_meta.id] = n + 1
        links = [TaskLog(name="console", uri=f"http://127.0.0.1/log/{resource_meta.id}")]
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


@dataclass
class SimpleMeta(ResourceMeta):
    id: str
    task_type: str


class FailConnector(_LogDeletes, AsyncConnectorBase):
    name = "Agentctl Test Fail Connector"

    def __init__(self):
        super().__init__(task_type_name="agentctl_test_fail", metadata_type=SimpleMeta)

    def create(self, task_template: TaskTemplate, output_prefix: str, inputs=None, **kwargs) -> SimpleMeta:
        return SimpleMeta(id=uuid.uuid4().hex, task_type="agentctl_test_fail")

    def get(self, resource_meta: SimpleMeta, **kwargs) -> Resource:
        return Resource(phase=TaskExecution.FAILED, message="boom: the job failed")


# --------------------------------------------------------------------------- retryable


@dataclass
class RetryableMeta(ResourceMeta):
    id: str
    task_name: str
    will_fail: bool
    failures_before: int
    fails: int
    task_type: str = "agentctl_test_retryable"


class RetryableConnector(_LogDeletes, AsyncConnectorBase):
    """Fails (RETRYABLE_FAILED) the first ``custom.fails`` attempts of each task name.

    Whether an attempt fails is decided (and the counter file bumped) at create
    time and carried in the resource meta, so repeated GetTask calls on one
    attempt always give the same answer."""

    name = "Agentctl Test Retryable Connector"

    def __init__(self):
        super().__init__(task_type_name="agentctl_test_retryable", metadata_type=RetryableMeta)

    def create(
        self,
        task_template: TaskTemplate,
        output_prefix: str,
        inputs: Optional[LiteralMap] = None,
        task_execution_metadata: Optional[TaskExecutionMetadata] = None,
        **kwargs,
    ) -> RetryableMeta:
        task_name = _task_name(task_template)
        fails = int(_custom(task_template).get("fails", 1))
        before, will_fail = _bump_counter_if_below(f"retryable-{task_name}", fails)
        meta = RetryableMeta(
            id=uuid.uuid4().hex, task_name=task_name, will_fail=will_fail, failures_before=before, fails=fails
        )
        _append_jsonl(
            "creates.jsonl",
            {
                "task_type": task_template.type,
                "task_name": task_name,
                "attempt": _count_creates(task_name),
                "retry_attempt": _retry_attempt(task_execution_metadata),
                "will_fail": will_fail,
                "output_prefix": output_prefix,
                "task_execution_metadata": _tem_dict(task_execution_metadata),
            },
        )
        return meta

    def get(self, resource_meta: RetryableMeta, **kwargs) -> Resource:
        if resource_meta.will_fail:
            return Resource(phase=TaskExecution.RETRYABLE_FAILED, message="flaky")
        return Resource(
            phase=TaskExecution.SUCCEEDED,
            message=f"succeeded after {resource_meta.failures_before} failure(s)",
        )


# --------------------------------------------------------------------------- create error


class CreateErrorConnector(_LogDeletes, AsyncConnectorBase):
    name = "Agentctl Test Create Error Connector"

    def __init__(self):
        super().__init__(task_type_name="agentctl_test_create_error", metadata_type=SimpleMeta)

    def create(self, task_template: TaskTemplate, output_prefix: str, inputs=None, **kwargs) -> SimpleMeta:
        raise RuntimeError("create exploded")

    def get(self, resource_meta: SimpleMeta, **kwargs) -> Resource:
        return Resource(phase=TaskExecution.FAILED, message="create_error has no jobs")


# --------------------------------------------------------------------------- forever


class ForeverConnector(_LogDeletes, AsyncConnectorBase):
    name = "Agentctl Test Forever Connector"

    def __init__(self):
        super().__init__(task_type_name="agentctl_test_forever", metadata_type=SimpleMeta)

    def create(self, task_template: TaskTemplate, output_prefix: str, inputs=None, **kwargs) -> SimpleMeta:
        return SimpleMeta(id=uuid.uuid4().hex, task_type="agentctl_test_forever")

    def get(self, resource_meta: SimpleMeta, **kwargs) -> Resource:
        return Resource(phase=TaskExecution.RUNNING, message="still running")


# --------------------------------------------------------------------------- echo (sync)


class EchoConnector(SyncConnectorBase):
    name = "Agentctl Test Echo Connector"

    def __init__(self):
        super().__init__(task_type_name="agentctl_test_echo")

    def do(
        self, task_template: TaskTemplate, output_prefix: str, inputs: Optional[LiteralMap] = None, **kwargs
    ) -> Resource:
        return Resource(
            phase=TaskExecution.SUCCEEDED,
            message="echoed",
            outputs=inputs if inputs is not None else LiteralMap(literals={}),
        )


# --------------------------------------------------------------------------- slow


@dataclass
class SlowMeta(ResourceMeta):
    id: str
    created_at: float
    seconds: float
    task_type: str = "agentctl_test_slow"


class SlowConnector(_LogDeletes, AsyncConnectorBase):
    name = "Agentctl Test Slow Connector"

    def __init__(self):
        super().__init__(task_type_name="agentctl_test_slow", metadata_type=SlowMeta)

    def create(self, task_template: TaskTemplate, output_prefix: str, inputs=None, **kwargs) -> SlowMeta:
        seconds = float(_custom(task_template).get("seconds", 1.0))
        return SlowMeta(id=uuid.uuid4().hex, created_at=time.time(), seconds=seconds)

    def get(self, resource_meta: SlowMeta, **kwargs) -> Resource:
        if time.time() - resource_meta.created_at >= resource_meta.seconds:
            # For bench/run: when get answers SUCCEEDED (wall clock, time.time()).
            _append_jsonl("terminal.jsonl", {"id": resource_meta.id, "t": time.time()})
            return Resource(phase=TaskExecution.SUCCEEDED, message="slept")
        return Resource(phase=TaskExecution.RUNNING, message="sleeping")


# --------------------------------------------------------------------------- logs

# One page of log lines, as a Flyte 1 connector would return them; "\r" ends a
# progress-bar redraw. flytekit 1.16's GetTaskLogs awaits get_logs and drops what
# it returns (a coroutine answering a server-streaming method), so the client
# sees an empty stream: these lines never leave the server.
LOG_LINES = [
    (LogLineOriginator.SYSTEM, "job accepted"),
    (LogLineOriginator.USER, "progress 50%\r"),
    (LogLineOriginator.USER, "done"),
]


@dataclass
class LogsMeta(ResourceMeta):
    id: str
    created_at: float
    task_type: str = "agentctl_test_logs"


class LogsConnector(_LogDeletes, AsyncConnectorBase):
    name = "Agentctl Test Logs Connector"

    def __init__(self):
        super().__init__(task_type_name="agentctl_test_logs", metadata_type=LogsMeta)

    def create(self, task_template: TaskTemplate, output_prefix: str, inputs=None, **kwargs) -> LogsMeta:
        return LogsMeta(id=uuid.uuid4().hex, created_at=time.time())

    def get(self, resource_meta: LogsMeta, **kwargs) -> Resource:
        return Resource(phase=TaskExecution.SUCCEEDED, message="logs ready")

    def get_logs(self, resource_meta: LogsMeta, **kwargs) -> GetTaskLogsResponse:
        _append_jsonl("logs.jsonl", {"id": resource_meta.id, "kwargs": sorted(kwargs)})
        body = GetTaskLogsResponseBody()
        for i, (originator, message) in enumerate(LOG_LINES):
            ts = Timestamp()
            ts.FromNanoseconds(int(resource_meta.created_at * 1e9) + i * 1_000_000_000)
            body.structured_lines.append(LogLine(timestamp=ts, message=message, originator=originator))
        return GetTaskLogsResponse(body=body)

    def get_metrics(self, resource_meta: LogsMeta, **kwargs) -> GetTaskMetricsResponse:
        _append_jsonl("metrics.jsonl", {"id": resource_meta.id, "kwargs": sorted(kwargs)})
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


# --------------------------------------------------------------------------- check

# `agentctl check`'s test connectors: agentctl_check serves one job per create whose behaviour
# the template's ``custom.breaks`` picks (a mode below, carried in the meta), so that each
# fixture task breaks exactly one of check's rules; agentctl_check_hang is the well-behaved one
# except that a GetTask with a resource_meta it cannot decode never answers. Every create is
# logged to creates.jsonl and every delete to deletes.jsonl.
#
#   good                   1st get RUNNING, then SUCCEEDED with y = 42, s = "ok"; a deleted
#                          job answers ABORTED "deleted"; deletes always succeed
#   empty_meta             create returns an empty resource_meta
#   slow_create            create takes ``custom.seconds`` (default 3.2)
#   flaky_get              every 2nd get of a job raises (its state is reloaded lazily)
#   backwards              RUNNING, SUCCEEDED, RUNNING, then SUCCEEDED
#   bad_outputs            SUCCEEDED with y = "two" (a string) and no s
#   empty_failure          RUNNING, then FAILED with an empty message
#   aborted                RUNNING, then ABORTED although nothing deleted it
#   running                always RUNNING (until deleted)
#   delete_running_fails   the 1st delete of a job that has not finished raises
#   delete_finished_fails  a delete of a finished job raises
#   delete_twice_fails     the 2nd delete of a job raises

CHECK_GOOD_OUTPUTS = {"y": 42, "s": "ok"}

_check_gets: Dict[str, int] = {}
_check_deletes: Dict[str, int] = {}
_check_deleted: set = set()


def _check_bump(counter: Dict[str, int], key: str) -> int:
    with _lock:
        n = counter.get(key, 0) + 1
        counter[key] = n
        return n


@dataclass
class CheckMeta(ResourceMeta):
    id: str
    breaks: str = "good"
    task_type: str = "agentctl_check"

    def encode(self) -> bytes:
        if self.breaks == "empty_meta":
            return b""
        return super().encode()


class CheckConnector(AsyncConnectorBase):
    name = "Agentctl Check Connector"
    task_type = "agentctl_check"
    meta_type = CheckMeta

    def __init__(self):
        super().__init__(task_type_name=self.task_type, metadata_type=self.meta_type)

    async def create(self, task_template: TaskTemplate, output_prefix: str, inputs=None, **kwargs) -> CheckMeta:
        custom = _custom(task_template)
        breaks = str(custom.get("breaks", "good"))
        meta = self.meta_type(id=uuid.uuid4().hex, breaks=breaks, task_type=self.task_type)
        _append_jsonl("creates.jsonl", {"task_type": self.task_type, "id": meta.id, "breaks": breaks})
        if breaks == "slow_create":
            await asyncio.sleep(float(custom.get("seconds", 3.2)))
        return meta

    async def get(self, resource_meta: CheckMeta, **kwargs) -> Resource:
        m = resource_meta
        n = _check_bump(_check_gets, m.id)
        if m.id in _check_deleted:
            return Resource(phase=TaskExecution.ABORTED, message="deleted")
        running = Resource(phase=TaskExecution.RUNNING, message="working")
        done = Resource(phase=TaskExecution.SUCCEEDED, message="done", outputs=dict(CHECK_GOOD_OUTPUTS))
        if m.breaks == "flaky_get" and n % 2 == 0:
            raise RuntimeError("the job's state is not loaded yet")
        if m.breaks == "backwards":
            return running if n in (1, 3) else done
        if m.breaks == "running" or n == 1:
            return running
        if m.breaks == "bad_outputs":
            return Resource(phase=TaskExecution.SUCCEEDED, message="done", outputs={"y": "two"})
        if m.breaks == "empty_failure":
            return Resource(phase=TaskExecution.FAILED, message="")
        if m.breaks == "aborted":
            return Resource(phase=TaskExecution.ABORTED, message="aborted")
        return done

    async def delete(self, resource_meta: CheckMeta, **kwargs) -> None:
        m = resource_meta
        k = _check_bump(_check_deletes, m.id)
        _append_jsonl("deletes.jsonl", {"resource_meta": asdict(m)})
        with _lock:
            finished = m.breaks != "running" and _check_gets.get(m.id, 0) >= 2 and m.id not in _check_deleted
        if m.breaks == "delete_running_fails" and not finished and k == 1:
            raise RuntimeError("the job is starting: it cannot be cancelled yet")
        if m.breaks == "delete_finished_fails" and finished:
            raise RuntimeError("the job already finished: there is nothing to delete")
        if m.breaks == "delete_twice_fails" and k >= 2:
            raise RuntimeError("the job was already deleted")
        with _lock:
            _check_deleted.add(m.id)


@dataclass
class CheckHangMeta(CheckMeta):
    task_type: str = "agentctl_check_hang"
    garbage: bool = False

    @classmethod
    def decode(cls, data: bytes) -> "CheckHangMeta":
        try:
            return super().decode(data)
        except Exception:
            return cls(id="", garbage=True)


class CheckHangConnector(CheckConnector):
    name = "Agentctl Check Hang Connector"
    task_type = "agentctl_check_hang"
    meta_type = CheckHangMeta

    async def get(self, resource_meta: CheckHangMeta, **kwargs) -> Resource:
        if resource_meta.garbage:
            await asyncio.sleep(3600)
        return await super().get(resource_meta)


CONNECTORS = [
    SuccessConnector(),
    FailConnector(),
    RetryableConnector(),
    CreateErrorConnector(),
    ForeverConnector(),
    EchoConnector(),
    SlowConnector(),
    LogsConnector(),
    CheckConnector(),
    CheckHangConnector(),
]

for _c in CONNECTORS:
    try:
        ConnectorRegistry.register(_c)
    except ValueError:
        # Already registered: this file was imported a second time under another
        # module name (e.g. by a loader); keep the first registration.
        pass
