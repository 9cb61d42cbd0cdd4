"""Snowflake tasks written by flytekitplugins-snowflake 1.16.31 itself, and what its own
connector makes of them (gen_fixtures.py calls :func:`write_fixtures`).

The tasks are made inside :func:`write_fixtures`, not at module level, so that ``pyflyte
package`` of this package does not pick them up. The connector talks to Snowflake through the
Snowflake Python driver, not the SQL API agentctl uses, so it is driven against a fake driver
connection: what it passes the driver (the statement and its pyformat parameters), its
``resource_meta``, and the ``Resource`` its ``get`` answers for a finished query (the output
URI and the query link) are written to ``<name>.connector.json`` for the Rust tests to compare.

=================  =========  ==============================================================
task (name)        type       interface
=================  =========  ==============================================================
snowflake_query    snowflake  id: int -> results: StructuredDataset
snowflake_types    snowflake  n: int, ratio: float, label: str, flag: bool, at: datetime,
                              wait: timedelta, ids: List[int] -> ()
snowflake_insert   snowflake  () -> ()   (no inputs: the statement is sent as written)
=================  =========  ==============================================================
"""

import asyncio
import datetime
import json
from dataclasses import asdict
from typing import List

QUERY_ID = "01b2c3d4-0000-1111-0000-000000000042"
CONFIG = dict(account="agentctl-test", user="agentctl_user", database="FLYTE", schema="PUBLIC", warehouse="COMPUTE_WH")

# the inputs the connector is driven with (the Rust tests pass the same on the command line)
INPUTS = {
    "snowflake_query": {"id": 42},
    "snowflake_types": {
        "n": 7,
        "ratio": 10.5,
        "label": "h\u00e9llo 'x'",
        "flag": True,
        "at": datetime.datetime(2024, 3, 1, 12, 30, 45, 500000),
        "wait": datetime.timedelta(hours=1, minutes=30),
        "ids": [1, 2, 3],
    },
    "snowflake_insert": {},
}


def tasks():
    from flytekit import kwtypes
    from flytekit.types.structured import StructuredDataset
    from flytekitplugins.snowflake import SnowflakeConfig, SnowflakeTask

    config = SnowflakeConfig(**CONFIG)
    return {
        # the plugin's documented shape: a parameterized query with a result
        "snowflake_query": SnowflakeTask(
            name="snowflake_query",
            query_template="SELECT * FROM flyte_demo WHERE id = %(id)s LIMIT 10",
            inputs=kwtypes(id=int),
            output_schema_type=StructuredDataset,
            task_config=config,
        ),
        # one input of each type its connector passes to the driver
        "snowflake_types": SnowflakeTask(
            name="snowflake_types",
            query_template=(
                "INSERT INTO flyte_types (n, ratio, label, flag, at, wait, pct) "
                "SELECT %(n)s, %(ratio)s, %(label)s, %(flag)s, %(at)s, %(wait)s, '100%%' "
                "WHERE %(n)s IN (%(ids)s)"
            ),
            inputs=kwtypes(
                n=int, ratio=float, label=str, flag=bool, at=datetime.datetime, wait=datetime.timedelta, ids=List[int]
            ),
            task_config=config,
        ),
        "snowflake_insert": SnowflakeTask(
            name="snowflake_insert",
            query_template="INSERT INTO flyte_log VALUES ('50%', CURRENT_TIMESTAMP())",
            task_config=config,
        ),
    }


class _FakeCursor:
    def __init__(self, seen):
        self.seen = seen
        self.sfqid = None

    def execute_async(self, query, params=None):
        self.seen.append({"statement": query, "params": _plain(params)})
        self.sfqid = QUERY_ID


class _FakeConnection:
    def __init__(self, seen):
        self.seen = seen

    def cursor(self):
        return _FakeCursor(self.seen)

    def get_query_status_throw_if_error(self, query_id):
        from snowflake.connector.constants import QueryStatus

        assert query_id == QUERY_ID, query_id
        return QueryStatus.SUCCESS


def _plain(params):
    """The parameters the driver receives, as JSON: [python type, str(value)] each."""
    if params is None:
        return None
    return {k: [type(v).__name__, repr(v) if isinstance(v, list) else str(v)] for k, v in params.items()}


def connector_run(task, template_model, inputs) -> dict:
    """create then get with flytekit's own SnowflakeConnector against the fake driver."""
    from flyteidl.core.execution_pb2 import TaskExecution
    from flytekit import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine
    from flytekitplugins.snowflake import connector as sf
    from google.protobuf import json_format

    seen = []
    sf.get_private_key = lambda: b"not-a-key"  # the fake driver never reads it
    sf.sc.connect = lambda **kwargs: seen.append({"connect": kwargs}) or _FakeConnection(seen)
    sf.get_connection = lambda meta: _FakeConnection(seen)
    ctx = FlyteContextManager.current_context()
    literals = TypeEngine.dict_to_literal_map(ctx, inputs, task.python_interface.inputs)
    connector = sf.SnowflakeConnector()
    meta = asyncio.run(connector.create(task_template=template_model, inputs=literals))
    resource = asyncio.run(connector.get(meta))
    for s in seen:
        if "connect" in s:
            s["connect"].pop("private_key", None)
    outputs = None
    if resource.outputs:
        outputs = {k: json_format.MessageToDict(v.to_flyte_idl()) for k, v in resource.outputs.items()}
    return {
        "driver": seen,
        "resource_meta": asdict(meta),
        "get": {
            "phase": TaskExecution.Phase.Name(resource.phase),
            "outputs": outputs,
            "log_links": [json_format.MessageToDict(link) for link in resource.log_links],
        },
    }


def write_fixtures(outdir, settings, write, det_bytes, msg_to_json) -> dict:
    """<name>.template.pb/.json and <name>.connector.json for every task above."""
    from collections import OrderedDict

    from flytekit.tools.translator import get_serializable

    templates = {}
    for name, task in tasks().items():
        spec = get_serializable(OrderedDict(), settings, task)
        template = spec.to_flyte_idl().template
        templates[name] = template
        write(outdir / f"{name}.template.pb", det_bytes(template))
        write(outdir / f"{name}.template.json", msg_to_json(template))
        run = connector_run(task, spec.template, INPUTS[name])
        write(outdir / f"{name}.connector.json", json.dumps(run, indent=2, sort_keys=True) + "\n")
    # what the Rust tests rely on
    assert templates["snowflake_query"].type == "snowflake"
    assert dict(templates["snowflake_query"].config) == CONFIG, templates["snowflake_query"].config
    assert templates["snowflake_query"].sql.statement.endswith("%(id)s LIMIT 10")
    return templates
