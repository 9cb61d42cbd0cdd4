#!/usr/bin/env python3
"""Generate REAL Flyte 2 fixtures for agentctl's tests: gen_fixtures2.py OUTDIR

Everything is produced by flyte 2.12.1 / flyteidl2 2.0.51 themselves (see tests/python2/README.md
for the file list):

  1. every task in fixture_tasks2.py through ``flyte.extras.serialize(task)`` (a
     ``flyteidl2.task.TaskSpec``): <name>.pb (binary) and <name>.json (proto3 JSON);
     success.template.pb / success.template.json (its ``core.TaskTemplate`` alone);
  2. ``flyteidl2.task.Inputs`` made by the SDK's own converter
     (``convert_from_native_to_inputs``, what ``flyte run`` uses): flyte_inputs.pb/.json for
     ``success`` and all_types.inputs.pb/.json for ``all_types``;
  3. databricks.pb/.json: a task of flyteplugins-databricks 2.12.1's own ``Databricks`` plugin
     config. The plugin (and flyteplugins-spark, which it builds on) is installed alone, pinned
     by hash with --no-deps, into OUTDIR/site-databricks with a stub pyspark: pyspark is a
     ~400 MB sdist that writing a template never uses, and aiohttp (its connector's client) is
     not needed either, so a stub stands in for it while the template is written.

Output is deterministic: binary protobufs use deterministic serialization, JSON is
``json_format.MessageToDict`` (camelCase field names, enums as names, int64 as strings) with
the keys of every map and Struct sorted, so a rerun gives byte-identical files.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ["DO_NOT_TRACK"] = "1"

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

T0 = time.time()

from flyteidl2.task import common_pb2, task_definition_pb2  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from google.protobuf.descriptor import FieldDescriptor  # noqa: E402
from google.protobuf.message import Message  # noqa: E402

import flyte  # noqa: E402
import flyte.extras  # noqa: E402
from flyte._internal.runtime.convert import convert_from_native_to_inputs  # noqa: E402
from flyte.syncify import syncify  # noqa: E402

import fixture_tasks2  # noqa: E402
import snowflake_fixtures2  # noqa: E402

# ============================================================================ helpers


def det_bytes(msg: Message) -> bytes:
    return msg.SerializeToString(deterministic=True)


def _sort_json(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _sort_json(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [_sort_json(x) for x in v]
    return v


def _sort_maps(msg: Message, d: Any) -> Any:
    """Sort the keys of every proto map (and Struct) inside MessageToDict output ``d``; message
    fields keep their declaration order."""
    full = msg.DESCRIPTOR.full_name
    if full in ("google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"):
        return _sort_json(d)
    if not isinstance(d, dict):
        return d
    out = {}
    for key, val in d.items():
        fd = msg.DESCRIPTOR.fields_by_camelcase_name.get(key) or msg.DESCRIPTOR.fields_by_name.get(key)
        if fd is None or fd.type != FieldDescriptor.TYPE_MESSAGE:
            out[key] = val
            continue
        if fd.message_type.GetOptions().map_entry:
            vfd = fd.message_type.fields_by_name["value"]
            items = sorted(val.items())
            if vfd.type == FieldDescriptor.TYPE_MESSAGE:
                field = getattr(msg, fd.name)
                out[key] = {k: _sort_maps(field[_map_key(fd, k)], v) for k, v in items}
            else:
                out[key] = dict(items)
        elif fd.is_repeated:  # (protobuf 7 has no FieldDescriptor.label)
            out[key] = [_sort_maps(sub, v) for sub, v in zip(getattr(msg, fd.name), val)]
        else:
            out[key] = _sort_maps(getattr(msg, fd.name), val)
    return out


def _map_key(fd: FieldDescriptor, k: str) -> Any:
    kfd = fd.message_type.fields_by_name["key"]
    if kfd.type == FieldDescriptor.TYPE_STRING:
        return k
    if kfd.type == FieldDescriptor.TYPE_BOOL:
        return k == "true"
    return int(k)


def msg_to_json(msg: Message) -> str:
    """proto3 JSON (json_format.MessageToDict) with sorted map/Struct keys."""
    return json.dumps(_sort_maps(msg, json_format.MessageToDict(msg)), indent=2, ensure_ascii=False) + "\n"


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def log(msg: str) -> None:
    print(msg, flush=True)


def write_pair(outdir: Path, stem: str, msg: Message) -> None:
    write(outdir / f"{stem}.pb", det_bytes(msg))
    write(outdir / f"{stem}.json", msg_to_json(msg))
    # The JSON must parse back to the same message.
    back = type(msg)()
    json_format.Parse((outdir / f"{stem}.json").read_text(encoding="utf-8"), back)
    assert det_bytes(back) == det_bytes(msg), f"{stem}.json does not round-trip"


# ============================================================================ 1. task specs


def serialize_tasks(outdir: Path) -> None:
    for name, task in fixture_tasks2.ALL_TASKS.items():
        spec = flyte.extras.serialize(task)
        assert isinstance(spec, task_definition_pb2.TaskSpec)
        write_pair(outdir, name, spec)
        tt = spec.task_template
        log(
            f"{name}: type={tt.type} inputs={[e.key for e in tt.interface.inputs.variables]} "
            f"outputs={[e.key for e in tt.interface.outputs.variables]} "
            f"defaults={[p.name for p in spec.default_inputs]}"
        )
        if name == "success":
            write_pair(outdir, "success.template", tt)

    # What the README (and the Rust tests) rely on.
    success = task_definition_pb2.TaskSpec.FromString((outdir / "success.pb").read_bytes())
    assert [p.name for p in success.default_inputs] == ["name"], success.default_inputs
    assert success.short_name == "success" and success.environment.name == "agentctl2"
    secret = task_definition_pb2.TaskSpec.FromString((outdir / "secret.pb").read_bytes())
    assert json_format.MessageToDict(secret.task_template.custom) == {
        "secrets": {"api_key": fixture_tasks2.SECRET_NAME}
    }, secret.task_template.custom


# ============================================================================ 2. inputs


def write_inputs(outdir: Path, stem: str, task, values) -> common_pb2.Inputs:
    inputs = syncify(convert_from_native_to_inputs)(task.native_interface, **values).proto_inputs
    write_pair(outdir, stem, inputs)
    log(f"{stem}: {[nl.name for nl in inputs.literals]}")
    return inputs


# ============================================================================ 3. databricks

DATABRICKS_PLUGINS = {
    # name==version: the wheel's sha256 on PyPI (pip refuses anything else)
    "flyteplugins-databricks==2.12.1": "3fea22b6c09091942be6b233d48fcc69fa5491ee994c1622a97fd0c7b222c2b2",
    "flyteplugins-spark==2.12.1": "693d8842002d07ac4c58534622f09f71ccfcda181e0f04ea6e669ef2dac3dd12",
}

PYSPARK_STUB = {
    "pyspark/__init__.py": "from . import sql  # noqa: F401\n",
    "pyspark/sql/__init__.py": "class DataFrame:\n    pass\n\n\nclass SparkSession:\n    pass\n",
}

def databricks_template(outdir: Path) -> None:
    import subprocess
    import tempfile
    import types

    site = outdir / "site-databricks"
    with tempfile.TemporaryDirectory() as d:
        req = Path(d) / "requirements.txt"
        req.write_text("".join(f"{n} --hash=sha256:{h}\n" for n, h in DATABRICKS_PLUGINS.items()))
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"]
        cmd += ["--no-deps", "--require-hashes", "--target", str(site), "-r", str(req)]
        subprocess.run(cmd, check=True)
    for rel, text in PYSPARK_STUB.items():
        write(site / rel, text)
    sys.path.insert(0, str(site))
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        sys.modules["aiohttp"] = types.ModuleType("aiohttp")  # the connector's, unused here
    import databricks_tasks2

    spec = flyte.extras.serialize(databricks_tasks2.databricks)
    write_pair(outdir, "databricks", spec)
    tt = spec.task_template
    custom = json_format.MessageToDict(tt.custom)
    assert tt.type == "databricks", tt.type
    assert custom["secrets"] == {"databricks_token": "DATABRICKS_TOKEN_FOR_AGENTCTL"}, custom
    assert custom["databricksInstance"] == "dbc-agentctl.cloud.databricks.com", custom
    log(f"databricks: type={tt.type} args={list(tt.container.args)[:3]}...")


def main(argv) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = Path(argv[1]).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    log(f"flyte {flyte.__version__} -> {outdir}")
    serialize_tasks(outdir)
    write_inputs(outdir, "flyte_inputs", fixture_tasks2.success, fixture_tasks2.SUCCESS_INPUTS)
    write_inputs(outdir, "all_types.inputs", fixture_tasks2.all_types, fixture_tasks2.ALL_TYPES_INPUTS)
    snowflake_fixtures2.write_fixtures(outdir, write_pair)  # flyteplugins-snowflake's tasks
    databricks_template(outdir)  # last: it puts the plugin on sys.path
    log(f"done in {time.time() - T0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
