"""Snowflake tasks written by flyteplugins-snowflake 2.12.1 itself, and what its own connector
makes of them (gen_fixtures2.py calls :func:`write_fixtures`).

Its connector talks to Snowflake through the Snowflake Python driver, not the SQL API agentctl
uses, so it is driven against a fake driver connection: what it passes the driver (the
statement and its parameters, after its batch expansion), its ``resource_meta`` and what its
``get`` answers for a finished query (the output URI and the query link) go to
``<name>.connector.json`` for the Rust tests to compare.

===================  =========  ============================================================
task (name)          type       interface
===================  =========  ============================================================
snowflake2_query     snowflake  id: Optional[int] -> results: DataFrame; secret snowflake_private_key
                                from $SNOWFLAKE_PK_FOR_AGENTCTL; role in connection_kwargs
snowflake2_batch     snowflake  a, b: Optional[List[int]], Optional[List[str]]; batch=True
===================  =========  ============================================================
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from pathlib import Path
from typing import List, Optional

QUERY_ID = "01b2c3d4-0000-2222-0000-000000000042"
SECRET_ENV = "SNOWFLAKE_PK_FOR_AGENTCTL"

INPUTS = {
    "snowflake2_query": {"id": 42},
    "snowflake2_batch": {"a": [1, 2], "b": ["x", "y"]},
}


def tasks():
    import flyte
    from flyte.io import DataFrame
    from flyteplugins.snowflake import Snowflake, SnowflakeConfig

    query = Snowflake(
        name="snowflake2_query",
        query_template="""
            SELECT * FROM flyte_demo
            WHERE id = %(id)s LIMIT 10
        """,
        plugin_config=SnowflakeConfig(
            account="agentctl-test",
            user="agentctl_user",
            database="FLYTE",
            schema="ANALYTICS",
            warehouse="COMPUTE_WH",
            connection_kwargs={"role": "AGENTCTL_ROLE"},
        ),
        # Optional: the plugin gives every input a default of None, which flyte.extras.serialize
        # (and flyte deploy) can only write for an Optional type
        inputs={"id": Optional[int]},
        output_dataframe_type=DataFrame,
        snowflake_private_key="snowflake_pk_for_agentctl",
    )
    batch = Snowflake(
        name="snowflake2_batch",
        query_template="INSERT INTO flyte_rows (a, b) VALUES (%(a)s, %(b)s)",
        plugin_config=SnowflakeConfig(
            account="xy12345.us-east-2.aws", user="agentctl_user", database="FLYTE", schema="PUBLIC", warehouse="WH"
        ),
        inputs={"a": Optional[List[int]], "b": Optional[List[str]]},
        batch=True,
        snowflake_private_key="snowflake_pk_for_agentctl",
    )
    flyte.TaskEnvironment.from_task("agentctl2_snowflake", query, batch)
    return {"snowflake2_query": query, "snowflake2_batch": batch}


class _FakeCursor:
    def __init__(self, seen):
        self.seen = seen
        self.sfqid = None

    def execute_async(self, query, params=None):
        self.seen.append({"statement": query, "params": params})
        self.sfqid = QUERY_ID

    def close(self):
        pass


class _FakeConnection:
    def __init__(self, seen):
        self.seen = seen

    def cursor(self):
        return _FakeCursor(self.seen)

    def get_query_status_throw_if_error(self, query_id):
        from snowflake.connector.constants import QueryStatus

        assert query_id == QUERY_ID, query_id
        return QueryStatus.SUCCESS


def connector_run(template, inputs) -> dict:
    from flyteidl2.core.execution_pb2 import TaskExecution
    from flyteplugins.snowflake import connector as sf
    from google.protobuf import json_format

    seen = []

    async def fake_connection(**kwargs):
        seen.append({"connect": {k: v for k, v in kwargs.items() if not k.startswith("private_key")}})
        return _FakeConnection(seen)

    sf._get_snowflake_connection = fake_connection
    connector = sf.SnowflakeConnector()
    meta = asyncio.run(connector.create(task_template=template, inputs=inputs, snowflake_private_key="unused"))
    resource = asyncio.run(connector.get(meta, snowflake_private_key="unused"))
    outputs = {k: {"uri": v.uri} for k, v in (resource.outputs or {}).items()}
    return {
        "driver": seen,
        "resource_meta": asdict(meta),
        "get": {
            "phase": TaskExecution.Phase.Name(resource.phase),
            "message": resource.message,
            "outputs": outputs or None,
            "log_links": [json_format.MessageToDict(link) for link in resource.log_links],
        },
    }


def write_fixtures(outdir: Path, write_pair) -> None:
    """<name>.pb/.json (the TaskSpec) and <name>.connector.json for every task above."""
    import flyte.extras
    from google.protobuf import json_format

    for name, task in tasks().items():
        spec = flyte.extras.serialize(task)
        write_pair(outdir, name, spec)
        run = connector_run(spec.task_template, INPUTS[name])
        (outdir / f"{name}.connector.json").write_text(json.dumps(run, indent=2, sort_keys=True) + "\n")
    # what the Rust tests rely on
    spec = flyte.extras.serialize(tasks()["snowflake2_query"])
    custom = json_format.MessageToDict(spec.task_template.custom)
    assert custom["secrets"] == {"snowflake_private_key": SECRET_ENV}, custom
    assert not spec.task_template.config, spec.task_template.config
