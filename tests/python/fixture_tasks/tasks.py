"""Tasks whose TaskTemplates become agentctl's fixtures.

Each connector task here is a plain flytekit ``PythonTask`` with the connector
executor mixin, exactly how flytekit's own connector tasks (sensors, webhook,
BigQuery) are built: ``template.type`` is the task type served by
``tests/python/test_connectors.py`` and there is no container.

=================  ==========================  ====================================
task (name)        template.type               interface
=================  ==========================  ====================================
wait_for_file      sensor (flytekit FileSensor) path: str -> ()
success            agentctl_test_success       x: int, name: str -> y: int, greeting: str
fail               agentctl_test_fail          () -> ()
retryable          agentctl_test_retryable     () -> ()   custom {"fails": 1}, retries=2
create_error       agentctl_test_create_error  () -> ()
forever            agentctl_test_forever       () -> ()
echo (sync)        agentctl_test_echo          i: int, s: str, f: float, b: bool, l: List[int]
                                               -> the same names and types
slow               agentctl_test_slow          () -> ()   custom {"seconds": 1.0}
logs               agentctl_test_logs          () -> ()
all_types (sync)   agentctl_test_echo          every type pyflyte run supports (below)
                                               -> the same names and types
bigquery_doge_coin bigquery_query_job_task    version: int -> results: StructuredDataset
bigquery_types     bigquery_query_job_task    n: int, ratio: float, label: str, flag: bool,
                                               at: datetime -> results: StructuredDataset
add_one            python-task (container)     x: int -> o0: int (a normal @task)
check_<mode>       agentctl_check              () -> y: int, s: str   custom {"breaks": mode}
                                               (one per CHECK_MODES; slow_create: "seconds": 3.2)
check_hang         agentctl_check_hang         () -> y: int, s: str   custom {"breaks": "good"}
=================  ==========================  ====================================
"""

import datetime
import enum
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from flytekit import task
from flytekit.configuration import SerializationSettings
from flytekit.core.base_task import PythonTask, TaskMetadata
from flytekit.core.docstring import Docstring
from flytekit.core.interface import Interface
from flytekit.extend.backend.base_connector import AsyncConnectorExecutorMixin, SyncConnectorExecutorMixin
from flytekit.sensor.file_sensor import FileSensor
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from flytekit.types.structured import StructuredDataset


class _ConnectorTask(PythonTask):
    """A connector task: template.type = task_type, custom = the given dict, no container."""

    def __init__(
        self,
        name: str,
        task_type: str,
        inputs: Optional[Dict[str, Any]] = None,
        outputs: Optional[Dict[str, Any]] = None,
        custom: Optional[Dict[str, Any]] = None,
        docstring: Optional[str] = None,
        **kwargs,
    ):
        super().__init__(
            task_type=task_type,
            name=name,
            task_config=None,
            interface=Interface(
                inputs=inputs or {},
                outputs=outputs or {},
                docstring=Docstring(docstring=docstring) if docstring else None,
            ),
            **kwargs,
        )
        self._custom = custom

    def get_custom(self, settings: SerializationSettings) -> Optional[Dict[str, Any]]:
        return self._custom


class AsyncTestTask(AsyncConnectorExecutorMixin, _ConnectorTask):
    pass


class SyncTestTask(SyncConnectorExecutorMixin, _ConnectorTask):
    pass


# ----------------------------------------------------------------------------- sensor

wait_for_file = FileSensor(name="wait_for_file")

# ----------------------------------------------------------------------------- async test connectors

success = AsyncTestTask(
    name="success",
    task_type="agentctl_test_success",
    inputs={"x": int, "name": str},
    outputs={"y": int, "greeting": str},
    docstring="""Doubles x and greets name.

Parameters
----------
x : int
    a number to double
name : str
    who to greet

Returns
-------
y : int
    x * 2
greeting : str
    "hello " + name
""",
)

fail = AsyncTestTask(name="fail", task_type="agentctl_test_fail")

retryable = AsyncTestTask(
    name="retryable",
    task_type="agentctl_test_retryable",
    custom={"fails": 1},
    metadata=TaskMetadata(retries=2),
)

create_error = AsyncTestTask(name="create_error", task_type="agentctl_test_create_error")

forever = AsyncTestTask(name="forever", task_type="agentctl_test_forever")

slow = AsyncTestTask(name="slow", task_type="agentctl_test_slow", custom={"seconds": 1.0})

logs = AsyncTestTask(name="logs", task_type="agentctl_test_logs")

# ----------------------------------------------------------------------------- agentctl check
# One task per way of breaking `agentctl check`'s rules (custom.breaks picks the connector's
# behaviour, see test_connectors.py); all () -> (y: int, s: str).

CHECK_MODES = [
    "good",
    "empty_meta",
    "slow_create",
    "flaky_get",
    "backwards",
    "bad_outputs",
    "empty_failure",
    "aborted",
    "running",
    "delete_running_fails",
    "delete_finished_fails",
    "delete_twice_fails",
]

CHECK_TASKS: Dict[str, PythonTask] = {
    f"check_{mode}": AsyncTestTask(
        name=f"check_{mode}",
        task_type="agentctl_check",
        outputs={"y": int, "s": str},
        custom={"breaks": mode, "seconds": 3.2} if mode == "slow_create" else {"breaks": mode},
    )
    for mode in CHECK_MODES
}
CHECK_TASKS["check_hang"] = AsyncTestTask(
    name="check_hang", task_type="agentctl_check_hang", outputs={"y": int, "s": str}, custom={"breaks": "good"}
)
globals().update(CHECK_TASKS)

# ----------------------------------------------------------------------------- sync echo

_ECHO_TYPES: Dict[str, Any] = {"i": int, "s": str, "f": float, "b": bool, "l": List[int]}
echo = SyncTestTask(name="echo", task_type="agentctl_test_echo", inputs=dict(_ECHO_TYPES), outputs=dict(_ECHO_TYPES))


# ----------------------------------------------------------------------------- all_types


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


@dataclass
class Point:
    x: int
    y: float
    label: str = "origin"
    tags: List[str] = field(default_factory=list)


ALL_TYPES: Dict[str, Any] = {
    "i": int,
    "f": float,
    "s": str,
    "b": bool,
    "dt": datetime.datetime,
    "td": datetime.timedelta,
    "color": Color,
    "li": List[int],
    "mf": Dict[str, float],
    "point": Point,
    "anything": dict,
    "maybe_i": Optional[int],
    "either": Union[int, str],
    "file": FlyteFile,
    "directory": FlyteDirectory,
    "dataset": StructuredDataset,
}

ALL_TYPES_DOC = """Echoes every input type pyflyte run can parse.

Parameters
----------
i : int
    an integer
f : float
    a float
s : str
    a string
b : bool
    a boolean flag
dt : datetime
    a point in time
td : timedelta
    a duration
color : Color
    an enum (red, green, blue)
li : List[int]
    a list of integers
mf : Dict[str, float]
    a map of floats
point : Point
    a dataclass (msgpack-encoded)
anything : dict
    an untyped dict (msgpack-encoded)
maybe_i : Optional[int]
    an optional integer
either : Union[int, str]
    an integer or a string
file : FlyteFile
    a file path or URI
directory : FlyteDirectory
    a directory path or URI
dataset : StructuredDataset
    a structured dataset URI
"""

all_types = SyncTestTask(
    name="all_types",
    task_type="agentctl_test_echo",
    inputs=dict(ALL_TYPES),
    outputs=dict(ALL_TYPES),
    docstring=ALL_TYPES_DOC,
)


# ----------------------------------------------------------------------------- a container task


@task
def add_one(x: int) -> int:
    """A normal python-task (container target, no connector), for container.args tests."""
    return x + 1


# ----------------------------------------------------------------------------- webhook
from flytekit.extras.webhook import WebhookTask  # noqa: E402

# flytekit's own sync webhook task; the base URL is an input so tests can point it at a
# local HTTP server on an OS-picked port.
notify = WebhookTask(
    name="notify",
    url="{inputs.base}/items/{inputs.item_id}",
    method="POST",
    headers={"Content-Type": "application/json", "X-Item": "item-{inputs.item_id}"},
    data={"item": "{inputs.item_id}", "note": "item {inputs.item_id} ready"},
    dynamic_inputs={"base": str, "item_id": int},
    show_data=True,
    show_url=True,
)

# The same call with its hook token and API key as {secrets.KEY} placeholders, which
# WebhookTask documents as coming and agentctl's webhook agent fills from secrets.
notify_secret = WebhookTask(
    name="notify_secret",
    url="{inputs.base}/hooks/{secrets.hook_token}",
    method="POST",
    headers={"Content-Type": "application/json", "Authorization": "Bearer {secrets.api_key}"},
    data={"item": "{inputs.item_id}", "signed": "{secrets.hook_token}"},
    dynamic_inputs={"base": str, "item_id": int},
    show_data=True,
    show_url=True,
)


# ----------------------------------------------------------------------------- BigQuery
# flytekitplugins-bigquery's own task. bigquery_doge_coin is the plugin's documented example
# (with a QueryJobConfig, which flytekit writes into custom); bigquery_types has one input of
# each type its connector maps to a query parameter type.
from flytekitplugins.bigquery import BigQueryConfig, BigQueryTask  # noqa: E402
from google.cloud import bigquery as _bq  # noqa: E402

bigquery_doge_coin = BigQueryTask(
    name="bigquery_doge_coin",
    inputs={"version": int},
    query_template="SELECT * FROM `bigquery-public-data.crypto_dogecoin.transactions` WHERE version = @version LIMIT 10;",
    output_structured_dataset_type=StructuredDataset,
    task_config=BigQueryConfig(
        ProjectID="flyte-test-340607",
        Location="US",
        QueryJobConfig=_bq.QueryJobConfig(maximum_bytes_billed=1000000000, use_legacy_sql=False),
    ),
)

bigquery_types = BigQueryTask(
    name="bigquery_types",
    inputs={"n": int, "ratio": float, "label": str, "flag": bool, "at": datetime.datetime},
    query_template="SELECT @n AS n, @ratio AS ratio, @label AS label, @flag AS flag, @at AS at;",
    output_structured_dataset_type=StructuredDataset,
    task_config=BigQueryConfig(ProjectID="flyte-test-340607", Location="europe-west1"),
)


CONNECTOR_TASKS: Dict[str, PythonTask] = {
    "wait_for_file": wait_for_file,
    "success": success,
    "fail": fail,
    "retryable": retryable,
    "create_error": create_error,
    "forever": forever,
    "echo": echo,
    "slow": slow,
    "logs": logs,
    "all_types": all_types,
    "notify": notify,
    "notify_secret": notify_secret,
    "bigquery_doge_coin": bigquery_doge_coin,
    "bigquery_types": bigquery_types,
    **CHECK_TASKS,
}

ALL_TASKS: Dict[str, PythonTask] = {**CONNECTOR_TASKS, "add_one": add_one}

__all__ = ["Color", "Point", "ALL_TYPES", "ALL_TASKS", "CONNECTOR_TASKS", "CHECK_TASKS", *ALL_TASKS]
