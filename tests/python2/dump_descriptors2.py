#!/usr/bin/env python3
"""Write flyteidl2's own descriptors for the connector protocol as a FileDescriptorSet.

Imports ``flyteidl2.connector.service_pb2``, ``flyteidl2.task.task_definition_pb2`` and
``flyteidl2.task.common_pb2`` from the installed ``flyteidl2`` package (pinned to 2.0.51 in
requirements.txt) and writes one binary ``google.protobuf.FileDescriptorSet`` holding those
files and all their transitive dependencies, each file once, dependencies before dependents.
Every entry is parsed from the file's ``serialized_pb``, i.e. exactly what the package compiled
in. The set includes files the project's ``proto/`` leaves out (``buf/validate``, ``google/api``
and the parts of ``task_definition.proto`` that ``TaskSpec`` does not reach); the comparison
only walks the types reachable from its roots.

The Rust test ``tests/integration/descriptors.rs`` compares this set with the one built from
the project's ``proto/`` directory.

Usage: dump_descriptors2.py OUTPUT_PATH
"""

from __future__ import annotations

import sys

from google.protobuf import descriptor_pb2

import flyteidl2.connector.service_pb2
import flyteidl2.task.common_pb2
import flyteidl2.task.task_definition_pb2

ROOTS = (
    flyteidl2.connector.service_pb2,
    flyteidl2.task.task_definition_pb2,
    flyteidl2.task.common_pb2,
)


def descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    out = descriptor_pb2.FileDescriptorSet()
    seen: set[str] = set()

    def add(fd) -> None:  # post-order: dependencies first
        if fd.name in seen:
            return
        seen.add(fd.name)
        for dep in fd.dependencies:
            add(dep)
        out.file.append(descriptor_pb2.FileDescriptorProto.FromString(fd.serialized_pb))

    for module in ROOTS:
        add(module.DESCRIPTOR)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with open(argv[1], "wb") as f:
        f.write(descriptor_set().SerializeToString())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
