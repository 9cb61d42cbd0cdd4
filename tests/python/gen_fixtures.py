#!/usr/bin/env python3
"""Generate REAL flytekit fixtures for agentctl's tests: gen_fixtures.py OUTDIR

Everything is produced by flytekit 1.16.31 / flyteidl 1.16.8 themselves (see
tests/python/README.md for the file list). Output is deterministic: binary
protobufs use deterministic serialization and JSON map keys are sorted, so a
rerun gives byte-identical files (except flyte-package.tgz, whose tar headers
carry mtimes).

Steps:
  1. TaskTemplates of every task in fixture_tasks/tasks.py via get_serializable
     (the serializer `pyflyte package` uses): <name>.template.pb/.json,
     <name>.taskspec.pb, <name>.flytectl.json (admin.Task as `flytectl get task
     -o json` prints it), success.flytectl-array.json, success.flytectl.yaml.
  2. flyte-package.tgz from `pyflyte --pkgs fixture_tasks package --image x:1`
     (cwd tests/python), checked against step 1.
  3. inputs_cases.json: `pyflyte run fixture_tasks/tasks.py all_types <args>`
     is run in-process through pyflyte's real click command; the LiteralMap that
     reaches the (sync) connector is captured and written as inputs/<case>.pb.
     inputs_error_cases.json: argument lists pyflyte run rejects.
  4. Databricks templates written by flytekitplugins-spark 1.16.31 (fixture_tasks/
     databricks_tasks.py): <name>.template.pb/.json like step 1. The plugin is installed
     alone (pinned by hash, --no-deps) into OUTDIR/site-databricks with a stub pyspark
     (pyspark is a ~400 MB sdist the templates never use); the Rust tests put that directory
     on PYTHONPATH to run the plugin's own connector behind flytekit's server.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

T0 = time.time()

# flytekit makes a /tmp/flyte-XXXX sandbox in every process it is imported in (and
# pyflyte run copies things into it): keep those under one private dir, removed at exit.
import atexit  # noqa: E402
import tempfile  # noqa: E402

_TMP = tempfile.mkdtemp(prefix="agentctl-gen-fixtures-")
os.environ["TMPDIR"] = _TMP
tempfile.tempdir = _TMP
atexit.register(shutil.rmtree, _TMP, True)

import msgpack  # noqa: E402
import yaml  # noqa: E402
from flyteidl.admin import task_pb2 as admin_task_pb2  # noqa: E402
from flyteidl.core import compiler_pb2, literals_pb2, tasks_pb2  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from google.protobuf.descriptor import FieldDescriptor  # noqa: E402
from google.protobuf.message import Message  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

import flytekit  # noqa: E402
from flyteidl.core.execution_pb2 import TaskExecution  # noqa: E402
from flytekit.configuration import ImageConfig, SerializationSettings  # noqa: E402
from flytekit.extend.backend.base_connector import ConnectorRegistry, Resource, SyncConnectorBase  # noqa: E402
from flytekit.models.literals import LiteralMap  # noqa: E402
from flytekit.tools.translator import get_serializable  # noqa: E402

from fixture_tasks import tasks as fixture_tasks  # noqa: E402

PROJECT, DOMAIN = "flytesnacks", "development"
CREATED_AT = "2026-01-02T03:04:05Z"
IMAGE = "x:1"
TASKS_FILE = HERE / "fixture_tasks" / "tasks.py"


# ============================================================================ helpers


def det_bytes(msg: Message) -> bytes:
    return msg.SerializeToString(deterministic=True)


def _sort_maps(msg: Message, d: Any) -> Any:
    """Sort the keys of every proto map (and Struct) inside MessageToDict output ``d``
    so JSON output is deterministic (Go's jsonpb, i.e. flytectl, also sorts map keys)."""
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
                out[key] = {k: _sort_maps(getattr(msg, fd.name)[_map_key(fd, k)], v) for k, v in items}
            else:
                out[key] = dict(items)
        elif fd.label == FieldDescriptor.LABEL_REPEATED:
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


def _sort_json(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _sort_json(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [_sort_json(x) for x in v]
    return v


def msg_to_obj(msg: Message) -> Any:
    """proto3 JSON mapping (camelCase, enums as names, int64 as strings) with sorted map keys."""
    return _sort_maps(msg, json_format.MessageToDict(msg))


def msg_to_json(msg: Message) -> str:
    return json.dumps(msg_to_obj(msg), indent=2, ensure_ascii=False) + "\n"


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def log(msg: str) -> None:
    print(msg, flush=True)


# ============================================================================ 1. templates


def serialize_tasks(outdir: Path) -> Dict[str, tasks_pb2.TaskTemplate]:
    settings = SerializationSettings(image_config=ImageConfig.auto(img_name=IMAGE))
    templates: Dict[str, tasks_pb2.TaskTemplate] = {}
    created = Timestamp()
    created.FromJsonString(CREATED_AT)
    for name, task in fixture_tasks.ALL_TASKS.items():
        spec = get_serializable(OrderedDict(), settings, task)  # flytekit.models.task.TaskSpec
        spec_pb = spec.to_flyte_idl()  # flyteidl.admin.TaskSpec
        template = spec_pb.template
        templates[name] = template
        write(outdir / f"{name}.template.pb", det_bytes(template))
        write(outdir / f"{name}.template.json", msg_to_json(template))
        write(outdir / f"{name}.taskspec.pb", det_bytes(spec_pb))
        write(outdir / f"{name}.flytectl.json", msg_to_json(admin_task(spec_pb, "v1", created)))
    # Several versions match `flytectl get task NAME` -> a JSON array.
    spec_pb = get_serializable(OrderedDict(), settings, fixture_tasks.success).to_flyte_idl()
    arr = [msg_to_obj(admin_task(spec_pb, v, created)) for v in ("v1", "v2")]
    write(outdir / "success.flytectl-array.json", json.dumps(arr, indent=2) + "\n")
    # `flytectl get task -o yaml` = that JSON through JSONToYAML (keys sorted, camelCase).
    write(
        outdir / "success.flytectl.yaml",
        yaml.safe_dump(msg_to_obj(admin_task(spec_pb, "v1", created)), sort_keys=True, default_flow_style=False),
    )
    return templates


def admin_task(spec_pb, version: str, created: Timestamp) -> admin_task_pb2.Task:
    """admin.Task as returned by flyteadmin for a registered TaskSpec."""
    template = copy.deepcopy(spec_pb.template)
    template.id.project = PROJECT
    template.id.domain = DOMAIN
    template.id.version = version
    t = admin_task_pb2.Task(
        id=template.id,
        closure=admin_task_pb2.TaskClosure(
            compiled_task=compiler_pb2.CompiledTask(template=template),
            created_at=created,
        ),
    )
    if spec_pb.description.short_description:
        t.short_description = spec_pb.description.short_description
    return t


# ============================================================================ 2. pyflyte package


def pyflyte_cmd() -> List[str]:
    exe = Path(sys.executable).parent / "pyflyte"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from flytekit.clis.sdk_in_container.pyflyte import main; main()"]


def package(outdir: Path, templates: Dict[str, tasks_pb2.TaskTemplate]) -> List[str]:
    tgz = outdir / "flyte-package.tgz"
    cmd = pyflyte_cmd() + ["--pkgs", "fixture_tasks", "package", "--image", IMAGE, "-o", str(tgz), "-f"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    res = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"pyflyte package failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    members = []
    by_name = {t.id.name: t for t in templates.values()}
    with tarfile.open(tgz, "r:gz") as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            members.append(m.name)
            if not m.name.endswith("_1.pb"):
                continue
            spec = admin_task_pb2.TaskSpec()
            spec.ParseFromString(tf.extractfile(m).read())
            mine = by_name.get(spec.template.id.name)
            if mine is None or mine != spec.template:
                raise SystemExit(f"packaged {m.name} differs from get_serializable's template")
    return members


# ============================================================================ 3. pyflyte run cases

# Arguments every all_types case needs (all inputs except b and maybe_i are required).
BASE: "OrderedDict[str, Optional[str]]" = OrderedDict(
    [
        ("--i", "10"),
        ("--f", "1.5"),
        ("--s", "hello world"),
        ("--dt", "2024-01-02T03:04:05"),
        ("--td", "1h30m"),
        ("--color", "green"),
        ("--li", "[1, 2, 3]"),
        ("--mf", '{"a": 1.0, "b": 2.5}'),
        ("--point", '{"x": 1, "y": 2.5, "label": "p1", "tags": ["a", "b"]}'),
        ("--anything", '{"k": [1, "a"], "nested": {"n": null, "t": true}}'),
        ("--either", "5"),
        ("--file", "data/input.csv"),
        ("--directory", "data/dir"),
        ("--dataset", "s3://bucket/sd"),
    ]
)

# (name, description, overrides of BASE (value None drops the flag), extra args)
CASES = [
    ("base", "every required input once; b and maybe_i left out (b -> false, maybe_i -> None)", {}, []),
    ("int_leading_zero", "int parsed base 10: '010' -> 10", {"--i": "010"}, []),
    ("int_negative", "negative int", {"--i": "-42"}, []),
    ("float_exponent", "float '1e3' -> 1000.0", {"--f": "1e3"}, []),
    ("float_integral", "float given as '2' -> 2.0", {"--f": "2"}, []),
    ("str_empty", "empty string", {"--s": ""}, []),
    ("bool_flag", "--b -> true", {}, ["--b"]),
    ("bool_no_dash", "--no-b -> false", {}, ["--no-b"]),
    ("bool_no_underscore", "--no_b -> false", {}, ["--no_b"]),
    ("datetime_date", "datetime '%Y-%m-%d' -> midnight UTC", {"--dt": "2024-01-02"}, []),
    ("datetime_space", "datetime '%Y-%m-%d %H:%M:%S' (naive = UTC)", {"--dt": "2024-01-02 03:04:05"}, []),
    (
        "datetime_offset_space",
        "'2024-01-02 03:04:05+02:00' (has a space -> datetime.fromisoformat) -> 01:04:05Z",
        {"--dt": "2024-01-02 03:04:05+02:00"},
        [],
    ),
    ("datetime_minus_duration", "'<date> - <duration>' -> 2024-01-01", {"--dt": "2024-01-02 - 1d"}, []),
    ("datetime_plus_duration", "'<datetime> + <duration>'", {"--dt": "2024-01-02T03:04:05 + 2h"}, []),
    ("duration_colon", "duration '1:24' (mm:ss) -> 84s", {"--td": "1:24"}, []),
    ("duration_words", "duration '10 days'", {"--td": "10 days"}, []),
    ("duration_seconds", "duration '90s'", {"--td": "90s"}, []),
    ("duration_hms", "duration '01:02:03' -> 3723s", {"--td": "01:02:03"}, []),
    ("duration_fraction", "duration '1.5s' -> 1.5s", {"--td": "1.5s"}, []),
    ("duration_negative", "duration '-5m' -> -300s", {"--td": "-5m"}, []),
    ("enum_other", "enum value 'blue'", {"--color": "blue"}, []),
    ("list_empty", "empty list", {"--li": "[]"}, []),
    ("map_empty", "empty map", {"--mf": "{}"}, []),
    ("dataclass_defaults", "dataclass with defaulted fields left out", {"--point": '{"x": 3, "y": 4.0}'}, []),
    ("dataclass_int_for_float", "dataclass float field given an int", {"--point": '{"x": 3, "y": 4}'}, []),
    ("dataclass_json_file", "dataclass from a .json file path", {"--point": "data/point.json"}, []),
    ("map_yaml_file", "map from a .yaml file path", {"--mf": "data/mf.yaml"}, []),
    ("untyped_dict_scalars", "untyped dict with floats and strings", {"--anything": '{"a": 1.5, "b": "x", "c": [1, 2]}'}, []),
    ("untyped_dict_empty", "untyped empty dict", {"--anything": "{}"}, []),
    ("optional_given", "Optional[int] given", {}, ["--maybe_i", "7"]),
    ("union_str", "Union[int, str] given a non-int -> str variant", {"--either": "hello"}, []),
    ("union_float_text", "Union[int, str] given '5.5' -> str variant", {"--either": "5.5"}, []),
    (
        "remote_uris",
        "file and directory as s3 URIs (kept as is)",
        {"--file": "s3://bucket/key.csv", "--directory": "s3://bucket/dir"},
        [],
    ),
    # Not a case: a *local* structured dataset path is copied into the run's random raw
    # output dir (uri /tmp/flyte-XXXX/raw/<hex>/sd.parquet), so its literal is not reproducible.
    ("dataset_gs", "structured dataset as gs:// URI", {"--dataset": "gs://bucket/table"}, []),
]

ERROR_CASES = [
    ("map_float_given_ints", "Dict[str, float] given JSON ints (TypeEngine rejects int for float)", {"--mf": '{"x": 1, "y": -2}'}, []),
    ("int_float", "int given '1.5'", {"--i": "1.5"}, []),
    ("datetime_offset_no_space", "ISO datetime with offset and no space", {"--dt": "2024-01-02T03:04:05+02:00"}, []),
    ("duration_bare_number", "duration given a bare number", {"--td": "90"}, []),
    ("duration_iso", "ISO 8601 duration", {"--td": "PT1H"}, []),
    ("enum_unknown", "enum value not in the list", {"--color": "purple"}, []),
    ("enum_by_name", "enum given its Python name, not its value", {"--color": "RED"}, []),
    ("list_not_json", "list that is not JSON", {"--li": "1,2,3"}, []),
    ("file_missing", "local file that does not exist", {"--file": "data/missing.csv"}, []),
    ("directory_is_file", "directory given a file", {"--directory": "data/input.csv"}, []),
    ("missing_required", "required input --i left out", {"--i": None}, []),
    ("unknown_option", "unknown option", {}, ["--nope", "1"]),
]

MSGPACK_INPUTS = ["point", "anything"]


def case_args(overrides: Dict[str, Optional[str]], extra: List[str]) -> List[str]:
    args: List[str] = []
    for k, v in BASE.items():
        v = overrides.get(k, v) if k in overrides else v
        if v is None:
            continue
        args += [k, v]
    return args + list(extra)


def make_data_files(outdir: Path) -> None:
    data = outdir / "data"
    (data / "dir").mkdir(parents=True, exist_ok=True)
    write(data / "input.csv", "a,b\n1,2\n")
    write(data / "dir" / "part-0.txt", "part 0\n")
    write(data / "point.json", json.dumps({"x": 7, "y": 0.5, "label": "from-file", "tags": ["f"]}) + "\n")
    write(data / "mf.yaml", "a: 1.25\nb: -3.5\n")


class CaptureEcho(SyncConnectorBase):
    """Stands in for the echo connector while pyflyte run runs all_types locally."""

    name = "gen_fixtures capture"

    def __init__(self):
        super().__init__(task_type_name=fixture_tasks.all_types.task_type)
        self.captured: List[literals_pb2.LiteralMap] = []

    def do(self, task_template, output_prefix, inputs: Optional[LiteralMap] = None, **kwargs) -> Resource:
        self.captured.append(inputs.to_flyte_idl() if inputs is not None else literals_pb2.LiteralMap())
        return Resource(phase=TaskExecution.SUCCEEDED, outputs=inputs)


def run_pyflyte(args: List[str]) -> tuple[int, str]:
    """`pyflyte run <tasks.py> all_types <args>` in-process; returns (exit code, output)."""
    from flytekit.clis.sdk_in_container import pyflyte
    from flytekit.clis.sdk_in_container import utils as cli_utils

    out = io.StringIO()
    code = 0
    errors: List[str] = []
    orig_pretty = cli_utils.pretty_print_exception

    def capture_exception(e: Exception, verbosity: int = 1):
        # pyflyte's command wrapper prints the exception with rich, then exit(1).
        errors.append(f"{type(e).__name__}: {e}")

    cli_utils.pretty_print_exception = capture_exception
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pyflyte.main(["run", str(TASKS_FILE), "all_types", *args], standalone_mode=False)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except Exception as e:  # click.ClickException and friends (usage errors)
            code = 2
            msg = e.format_message() if hasattr(e, "format_message") else str(e)
            errors.append(f"{type(e).__name__}: {msg}")
        finally:
            cli_utils.pretty_print_exception = orig_pretty
    return code, "\n".join(errors) if errors else out.getvalue()


def msgpack_values(lm: literals_pb2.LiteralMap) -> Dict[str, Any]:
    vals = {}
    for name in MSGPACK_INPUTS:
        lit = lm.literals.get(name)
        if lit is not None and lit.scalar.binary.tag == "msgpack":
            vals[name] = msgpack.unpackb(lit.scalar.binary.value, raw=False)
    return vals


def input_cases(outdir: Path) -> tuple[int, int]:
    make_data_files(outdir)
    capture = CaptureEcho()
    ConnectorRegistry.register(capture, override=True)

    # Check pyflyte run's first conversion (task call) equals what reaches the connector.
    from flytekit.core.base_task import PythonTask

    dispatched: List[literals_pb2.LiteralMap] = []
    orig_dispatch = PythonTask.dispatch_execute

    def dispatch(self, ctx, input_literal_map):
        dispatched.append(input_literal_map.to_flyte_idl())
        return orig_dispatch(self, ctx, input_literal_map)

    PythonTask.dispatch_execute = dispatch

    cwd = os.getcwd()
    os.chdir(outdir)  # relative paths in the args are relative to OUTDIR
    cases, errors = [], []
    try:
        (outdir / "inputs").mkdir(exist_ok=True)
        for name, desc, overrides, extra in CASES:
            args = case_args(overrides, extra)
            capture.captured.clear()
            dispatched.clear()
            code, output = run_pyflyte(args)
            if code != 0 or len(capture.captured) != 1:
                raise SystemExit(f"case {name}: pyflyte run failed ({code}):\n{output}")
            lm = capture.captured[0]
            if dispatched and dispatched[0] != lm:
                raise SystemExit(f"case {name}: task-call literals differ from connector literals")
            rel = f"inputs/{name}.pb"
            write(outdir / rel, det_bytes(lm))
            cases.append(
                {
                    "name": name,
                    "description": desc,
                    "task": "all_types",
                    "template": "all_types.template.pb",
                    "cwd": ".",
                    "args": args,
                    "expected": rel,
                    "expected_json": msg_to_obj(lm),
                    "msgpack_inputs": [n for n in MSGPACK_INPUTS if n in lm.literals],
                    "msgpack_values": msgpack_values(lm),
                }
            )
        for name, desc, overrides, extra in ERROR_CASES:
            args = case_args(overrides, extra)
            capture.captured.clear()
            code, output = run_pyflyte(args)
            if code == 0 and capture.captured:
                raise SystemExit(f"error case {name}: pyflyte run unexpectedly succeeded")
            errors.append(
                {
                    "name": name,
                    "description": desc,
                    "task": "all_types",
                    "template": "all_types.template.pb",
                    "cwd": ".",
                    "args": args,
                    "pyflyte_error": output.strip(),
                }
            )
    finally:
        os.chdir(cwd)
        PythonTask.dispatch_execute = orig_dispatch

    write(outdir / "inputs_cases.json", json.dumps(cases, indent=2, ensure_ascii=False) + "\n")
    write(outdir / "inputs_error_cases.json", json.dumps(errors, indent=2, ensure_ascii=False) + "\n")
    return len(cases), len(errors)


# ============================================================================ 4. databricks

SPARK_PLUGIN_VERSION = "1.16.31"
# the wheel's sha256 on PyPI: pip refuses anything else
SPARK_PLUGIN_SHA256 = "b2ddb90f38f49856f48627792bf0cb0ea34909cb7e9324c32b05a72c67462bbe"

# Just enough of pyspark for `import flytekitplugins.spark` (pyspark_transformers imports
# pyspark.ml.PipelineModel; the DataFrame transformers name pyspark.sql.DataFrame).
PYSPARK_STUB = {
    "pyspark/__init__.py": '"""A stub: the fixtures need flytekitplugins-spark importable, not Spark."""\n'
    "__version__ = '0.0.0+agentctl.stub'\n\nfrom . import ml, sql  # noqa: E402,F401\n",
    "pyspark/ml/__init__.py": "class PipelineModel:\n    pass\n",
    "pyspark/sql/__init__.py": "from .dataframe import DataFrame\n\n\nclass SparkSession:\n    pass\n",
    "pyspark/sql/dataframe.py": "class DataFrame:\n    pass\n",
}

# Loaded by the flytekit server the comparison test starts with this directory on PYTHONPATH:
# the plugin's connector always speaks https to `databricksInstance`, and the test's fake
# Jobs API speaks plain HTTP on 127.0.0.1; this sends those requests there, unchanged.
SITECUSTOMIZE = '''"""agentctl's tests: the Databricks connector's https://<instance> to a local fake."""
import os

_fake = os.environ.get("AGENTCTL_TEST_DATABRICKS_FAKE")
if _fake:
    import aiohttp

    _request = aiohttp.ClientSession._request

    async def _to_fake(self, method, url, *args, **kwargs):
        url = str(url)
        if url.startswith("https://"):
            url = _fake + "/" + url[len("https://"):].split("/", 1)[1]
        return await _request(self, method, url, *args, **kwargs)

    aiohttp.ClientSession._request = _to_fake
'''


def install_spark_plugin(outdir: Path) -> Path:
    """flytekitplugins-spark alone (pinned, --no-deps) and the pyspark stub in one directory."""
    site = outdir / "site-databricks"
    with tempfile.TemporaryDirectory() as d:
        req = Path(d) / "requirements.txt"
        req.write_text(f"flytekitplugins-spark=={SPARK_PLUGIN_VERSION} --hash=sha256:{SPARK_PLUGIN_SHA256}\n")
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"]
        cmd += ["--no-deps", "--require-hashes", "--target", str(site), "-r", str(req)]
        subprocess.run(cmd, check=True)
    for rel, text in PYSPARK_STUB.items():
        write(site / rel, text)
    write(site / "sitecustomize.py", SITECUSTOMIZE)
    return site


def databricks_templates(outdir: Path) -> Dict[str, tasks_pb2.TaskTemplate]:
    site = install_spark_plugin(outdir)
    sys.path.insert(0, str(site))
    from fixture_tasks import databricks_tasks

    assert databricks_tasks.ALL_TASKS, "flytekitplugins-spark did not import"
    settings = SerializationSettings(image_config=ImageConfig.auto(img_name=IMAGE))
    templates: Dict[str, tasks_pb2.TaskTemplate] = {}
    for name, task in databricks_tasks.ALL_TASKS.items():
        template = get_serializable(OrderedDict(), settings, task).to_flyte_idl().template
        templates[name] = template
        write(outdir / f"{name}.template.pb", det_bytes(template))
        write(outdir / f"{name}.template.json", msg_to_json(template))
    # what the Rust tests rely on
    assert templates["databricks_count"].type == "databricks"
    assert templates["databricks_existing"].type == "spark"
    custom = json_format.MessageToDict(templates["databricks_m2m"].custom)
    assert custom["databricksAuthType"] == "oauth_m2m", custom
    assert "databricksInstance" not in json_format.MessageToDict(templates["databricks_existing"].custom)
    return templates


# ============================================================================ main


def main(argv: List[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = Path(argv[0]).resolve()
    # Start clean so no stale files survive (but keep the test-env stamp/log).
    if outdir.exists():
        for p in outdir.iterdir():
            if p.name.startswith(".agentctl-") or p.name == ".gen_fixtures.log":
                continue
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    outdir.mkdir(parents=True, exist_ok=True)

    t = time.time()
    templates = serialize_tasks(outdir)
    t_ser = time.time() - t
    t = time.time()
    members = package(outdir, templates)
    t_pkg = time.time() - t
    t = time.time()
    n_cases, n_err = input_cases(outdir)
    t_cases = time.time() - t
    t = time.time()
    # last: the plugin registers type transformers, which must not touch steps 1-3
    templates.update(databricks_templates(outdir))
    # flytekitplugins-snowflake's templates, and what its connector makes of them
    from fixture_tasks import snowflake_tasks

    settings = SerializationSettings(image_config=ImageConfig.auto(img_name=IMAGE))
    templates.update(snowflake_tasks.write_fixtures(outdir, settings, write, det_bytes, msg_to_json))
    t_dbx = time.time() - t

    log(f"flytekit {flytekit.__version__}, outdir {outdir}")
    log(f"templates: {len(templates)} tasks ({', '.join(templates)}) [{t_ser:.1f}s]")
    for name, tmpl in templates.items():
        ins = ", ".join(sorted(tmpl.interface.inputs.variables)) or "-"
        outs = ", ".join(sorted(tmpl.interface.outputs.variables)) or "-"
        log(f"  {name:14} type={tmpl.type:28} in=({ins}) out=({outs})")
    log(f"flyte-package.tgz: {len(members)} entries, templates identical to get_serializable [{t_pkg:.1f}s]")
    log(f"inputs_cases.json: {n_cases} cases, inputs_error_cases.json: {n_err} cases [{t_cases:.1f}s]")
    log(f"databricks: flytekitplugins-spark {SPARK_PLUGIN_VERSION} templates [{t_dbx:.1f}s]")
    log(f"total {time.time() - T0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
