#!/usr/bin/env python3
"""Write flyteidl's own descriptors for the agent protocol as a FileDescriptorSet.

Imports ``flyteidl.service.agent_pb2``, ``flyteidl.admin.task_pb2`` and
``flyteidl.core.errors_pb2`` from the installed ``flyteidl`` package (pinned to
1.16.8 in requirements.txt) and writes one binary
``google.protobuf.FileDescriptorSet`` holding those files and all their
transitive dependencies, each file once, dependencies before dependents. Every
entry is parsed from the file's ``serialized_pb``, i.e. exactly what the
package compiled in.

The Rust test ``tests/integration/descriptors.rs`` compares this set with the
one built from the project's ``proto/`` directory.

Usage: dump_descriptors.py OUTPUT_PATH
"""

from __future__ import annotations

import sys

from google.protobuf import descriptor_pb2

import flyteidl.admin.task_pb2
import flyteidl.core.errors_pb2
import flyteidl.service.agent_pb2

ROOTS = (flyteidl.service.agent_pb2, flyteidl.admin.task_pb2, flyteidl.core.errors_pb2)


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
