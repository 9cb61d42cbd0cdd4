"""Flyte 2 connector tasks, one per test connector in test_connectors2.py: the source of the
Flyte 2 fixtures (gen_fixtures2.py serializes them with ``flyte.extras.serialize``).

A connector task is written the way the SDK's own plugins write theirs (flyteplugins-bigquery
2.12.1's ``BigQueryTask``): a ``flyte.extend.TaskTemplate`` subclass that mixes in
``flyte.connectors.AsyncConnectorExecutorMixin``, sets ``task_type``, has no image, and returns
its plugin config from ``custom_config()``. A connector secret goes into ``custom["secrets"]``
as ``{<connector kwarg>: <secret name>}``, exactly as BigQueryTask writes
``{"google_application_credentials": <name>}`` and Databricks ``{"databricks_token": <name>}``:
the Flyte 2 backend turns it into ``CreateTaskRequest.connection.secrets`` (resolving each
secret name), and ``flyte run --local`` reads each name as an environment variable.

All tasks live in one TaskEnvironment ``agentctl2`` (``TaskEnvironment.from_task``).
"""

from __future__ import annotations

import datetime
import inspect
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Type

import flyte
from flyte import Documentation
from flyte.connectors import AsyncConnectorExecutorMixin
from flyte.extend import TaskTemplate
from flyte.models import NativeInterface, SerializationContext

REQUIRED = inspect.Parameter.empty
SECRET_NAME = "AGENTCTL2_TEST_API_KEY"


class Agentctl2Task(AsyncConnectorExecutorMixin, TaskTemplate):
    """A connector task of type ``task_type`` with a fixed ``custom`` config."""

    def __init__(
        self,
        name: str,
        task_type: str,
        inputs: Optional[Dict[str, Tuple[Type, Any]]] = None,
        outputs: Optional[Dict[str, Type]] = None,
        custom: Optional[Dict[str, Any]] = None,
        **kwargs,
    ):
        super().__init__(
            name=name,
            interface=NativeInterface(inputs or {}, outputs or {}),
            task_type=task_type,
            image=None,
            **kwargs,
        )
        self.plugin_custom = dict(custom or {})

    def custom_config(self, sctx: SerializationContext) -> Optional[Dict[str, Any]]:
        return dict(self.plugin_custom)


class Agentctl2SecretTask(Agentctl2Task):
    """Like BigQueryTask(google_application_credentials=...): ``api_key`` names the secret."""

    def __init__(self, name: str, task_type: str, api_key: Optional[str] = None, **kwargs):
        super().__init__(name, task_type, **kwargs)
        self.api_key = api_key

    def custom_config(self, sctx: SerializationContext) -> Optional[Dict[str, Any]]:
        config = super().custom_config(sctx) or {}
        if self.api_key is not None:
            config["secrets"] = {"api_key": self.api_key}
        return config


@dataclass
class Point:
    x: int
    y: float
    label: str = "origin"
    tags: List[str] = field(default_factory=list)


success = Agentctl2Task(
    "success",
    "agentctl2_success",
    inputs={"x": (int, REQUIRED), "name": (str, "world")},
    outputs={"y": int, "greeting": str},
    docs=Documentation(description="Doubles x and greets name (agentctl2_success)."),
)
fail = Agentctl2Task("fail", "agentctl2_fail")
retryable = Agentctl2Task("retryable", "agentctl2_retryable", custom={"fails": 1}, retries=2)
create_error = Agentctl2Task("create_error", "agentctl2_create_error")
forever = Agentctl2Task("forever", "agentctl2_forever")
secret = Agentctl2SecretTask("secret", "agentctl2_secret", api_key=SECRET_NAME, outputs={"key_len": int})
logs = Agentctl2Task("logs", "agentctl2_logs")
slow = Agentctl2Task("slow", "agentctl2_slow", custom={"seconds": 1.0})
all_types = Agentctl2Task(
    "all_types",
    "agentctl2_echo",
    inputs={
        "i": (int, REQUIRED),
        "f": (float, REQUIRED),
        "s": (str, REQUIRED),
        "b": (bool, REQUIRED),
        "dt": (datetime.datetime, REQUIRED),
        "td": (datetime.timedelta, REQUIRED),
        "li": (List[int], REQUIRED),
        "dsi": (Dict[str, int], REQUIRED),
        "point": (Point, REQUIRED),
        "maybe_i": (Optional[int], None),
    },
    outputs={"received": str},
)

ALL_TASKS: Dict[str, Agentctl2Task] = {
    t.name: t for t in (success, fail, retryable, create_error, forever, secret, logs, slow, all_types)
}

env = flyte.TaskEnvironment.from_task("agentctl2", *ALL_TASKS.values())

# Sample native inputs, converted by gen_fixtures2.py with the SDK's own converter.
SUCCESS_INPUTS = {"x": 21, "name": "flyte"}
ALL_TYPES_INPUTS = {
    "i": 7,
    "f": 2.5,
    "s": "hello",
    "b": True,
    "dt": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    "td": datetime.timedelta(seconds=90, milliseconds=500),
    "li": [1, 2, 3],
    "dsi": {"a": 1, "b": 2},
    "point": Point(x=1, y=2.0, label="p", tags=["t1", "t2"]),
    "maybe_i": None,
}
