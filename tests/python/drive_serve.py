#!/usr/bin/env python3
"""Drive an `agentctl serve` with Flyte's own Python stubs (flyteidl 1.16.8 from PyPI).

Usage: drive_serve.py HOST:PORT FLAG_PATH

Calls health, ListAgents, GetAgent, CreateTask/GetTask/DeleteTask for a FileSensor task whose
path is FLAG_PATH (created between the two GetTasks), ExecuteTaskSync, and the error paths, and
prints one JSON document of what it saw for the Rust test to check.
"""

import json
import os
import sys

import grpc
from flyteidl.admin import agent_pb2
from flyteidl.core import literals_pb2, tasks_pb2
from flyteidl.service import agent_pb2_grpc
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc


def code_of(call):
    try:
        call()
        return "OK"
    except grpc.RpcError as e:
        return e.code().name


def main(addr, flag):
    channel = grpc.insecure_channel(addr)
    out = {}
    health = health_pb2_grpc.HealthStub(channel)
    out["health"] = health_pb2.HealthCheckResponse.ServingStatus.Name(
        health.Check(health_pb2.HealthCheckRequest(service="flyteidl.service.AsyncAgentService")).status
    )

    meta = agent_pb2_grpc.AgentMetadataServiceStub(channel)
    agents = meta.ListAgents(agent_pb2.ListAgentsRequest()).agents
    out["agents"] = [json_format.MessageToDict(a) for a in agents]
    out["get_agent"] = meta.GetAgent(agent_pb2.GetAgentRequest(name="Sensor")).agent.name

    template = tasks_pb2.TaskTemplate(type="sensor")
    template.id.name = "wait_for_file"
    template.custom.update({"sensor_module": "flytekit.sensor.file_sensor", "sensor_name": "FileSensor", "sensor_config": None, "inputs": None})
    inputs = literals_pb2.LiteralMap()
    inputs.literals["path"].scalar.primitive.string_value = flag

    stub = agent_pb2_grpc.AsyncAgentServiceStub(channel)
    created = stub.CreateTask(agent_pb2.CreateTaskRequest(inputs=inputs, template=template, output_prefix="/tmp/out"))
    out["resource_meta"] = json.loads(created.resource_meta)
    category = agent_pb2.TaskCategory(name="sensor", version=0)
    get = lambda: stub.GetTask(agent_pb2.GetTaskRequest(task_category=category, resource_meta=created.resource_meta))
    out["phase_before"] = get().resource.phase
    open(flag, "w").close()
    out["phase_after"] = get().resource.phase
    # the deprecated task_type alone still finds the agent (version 0), as on flytekit's server
    out["phase_by_task_type"] = stub.GetTask(agent_pb2.GetTaskRequest(task_type="sensor", resource_meta=created.resource_meta)).resource.phase
    stub.DeleteTask(agent_pb2.DeleteTaskRequest(task_category=category, resource_meta=created.resource_meta))
    out["deleted"] = True

    out["unknown_type"] = code_of(lambda: stub.GetTask(agent_pb2.GetTaskRequest(task_category=agent_pb2.TaskCategory(name="nope"), resource_meta=b"{}")))
    out["bad_meta"] = code_of(lambda: stub.GetTask(agent_pb2.GetTaskRequest(task_category=category, resource_meta=b"not json")))

    sync = agent_pb2_grpc.SyncAgentServiceStub(channel)

    def execute():
        header = agent_pb2.CreateRequestHeader(template=template, output_prefix="/tmp/out")
        reqs = iter([agent_pb2.ExecuteTaskSyncRequest(header=header), agent_pb2.ExecuteTaskSyncRequest(inputs=inputs)])
        return list(sync.ExecuteTaskSync(reqs))

    out["execute_sync_on_async_agent"] = code_of(execute)
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], os.path.abspath(sys.argv[2]))
