#!/usr/bin/env python3
"""Start flytekit's real connector gRPC server on 127.0.0.1 for agentctl's tests.

This is what ``pyflyte serve connector`` runs
(``flytekit.clis.sdk_in_container.serve._start_grpc_server``): a ``grpc.aio``
server with flytekit's own ``AsyncConnectorService`` (AsyncAgentService),
``SyncConnectorService`` (SyncAgentService), ``ConnectorMetadataService``
(AgentMetadataService) and gRPC health servicer (via flytekit's
``_start_health_check_server``), the Webhook connector import, and the
Prometheus metrics HTTP server. The only differences are where things bind:

* gRPC: ``127.0.0.1:<--port>`` (default 0 = OS-picked) instead of ``[::]:8000``,
  without SO_REUSEPORT (a taken ``--port`` makes it exit 3 instead of sharing);
* metrics: ``prometheus_client.start_http_server(<--prometheus-port>, addr="127.0.0.1")``
  (default 0 = OS-picked) instead of ``0.0.0.0:9090``; ``--prometheus-port -1``
  disables it.

Once the server answers a health check on its own port, exactly one line
``listening on 127.0.0.1:PORT`` is printed to stdout (and flushed). Everything
else (the connector table, ``metrics on 127.0.0.1:PORT``, logs) goes to stderr.
SIGTERM/SIGINT (and, with --exit-on-stdin-eof, EOF on stdin) stop the server
gracefully and the process exits 0.

Usage: launch_server.py [--modules M]... [--port N] [--prometheus-port N]
                        [--worker N] [--exit-on-stdin-eof]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import shutil
import signal
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def _parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--modules",
        action="append",
        default=[],
        metavar="M",
        help="module to import so that its connectors register (repeatable)",
    )
    p.add_argument("--port", type=int, default=0, help="gRPC port on 127.0.0.1 (default 0: OS picks)")
    p.add_argument(
        "--prometheus-port",
        "--prometheus_port",
        dest="prometheus_port",
        type=int,
        default=0,
        help="Prometheus metrics port on 127.0.0.1 (default 0: OS picks; -1: disabled)",
    )
    p.add_argument("--worker", type=int, default=10, help="thread-pool workers (pyflyte default: 10)")
    p.add_argument("--grace", type=float, default=1.0, help="seconds of grace on shutdown")
    p.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="also shut down when stdin reaches EOF (so a test harness that dies without "
        "killing us still ends the server: give the child a pipe as stdin and keep it open)",
    )
    return p.parse_args(argv)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


async def _wait_until_serving(port: int) -> None:
    """Call grpc.health.v1.Health/Check on our own port until it answers SERVING."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for _ in range(100):
            try:
                resp = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1.0)
                if resp.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("server did not become healthy")


async def _serve(args) -> int:
    import grpc
    from concurrent import futures

    from flyteidl.service.agent_pb2_grpc import (
        add_AgentMetadataServiceServicer_to_server,
        add_AsyncAgentServiceServicer_to_server,
        add_SyncAgentServiceServicer_to_server,
    )
    from flytekit.clis.sdk_in_container.serve import _start_health_check_server, print_metadata
    from flytekit.extend.backend.connector_service import (
        AsyncConnectorService,
        ConnectorMetadataService,
        SyncConnectorService,
    )
    from flytekit.extras.webhook import WebhookConnector  # noqa: F401  (registration, as serve does)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        fd = sys.stdin.fileno()

        def _on_stdin() -> None:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                loop.remove_reader(fd)
                _log("stdin closed")
                stop.set()

        loop.add_reader(fd, _on_stdin)

    if args.prometheus_port >= 0:
        from prometheus_client import start_http_server

        metrics_server, _thread = start_http_server(args.prometheus_port, addr="127.0.0.1")
        _log(f"metrics on 127.0.0.1:{metrics_server.server_port}")
    else:
        _log("metrics disabled")

    # flytekit prints its connector table with rich to stdout; keep stdout for the one line.
    with contextlib.redirect_stdout(sys.stderr):
        print_metadata("Connector")

    # Only deviation from serve's construction: no SO_REUSEPORT (gRPC's default on
    # Linux), so a forced --port that is already taken fails instead of silently
    # sharing the port with another server.
    server = grpc.aio.server(
        futures.ThreadPoolExecutor(max_workers=args.worker),
        options=[("grpc.so_reuseport", 0)],
    )
    add_AsyncAgentServiceServicer_to_server(AsyncConnectorService(), server)
    add_SyncAgentServiceServicer_to_server(SyncConnectorService(), server)
    add_AgentMetadataServiceServicer_to_server(ConnectorMetadataService(), server)
    with contextlib.redirect_stdout(sys.stderr):
        _start_health_check_server(server, args.worker)

    try:
        port = server.add_insecure_port(f"127.0.0.1:{args.port}")
    except RuntimeError:
        port = 0
    if port == 0:
        _log(f"error: could not bind 127.0.0.1:{args.port}")
        return 3
    await server.start()
    try:
        await _wait_until_serving(port)
        sys.stdout.write(f"listening on 127.0.0.1:{port}\n")
        sys.stdout.flush()

        # (Do not race this with server.wait_for_termination(): cancelling that
        # cancels grpc's internal shutdown future and server.stop() then raises.)
        await stop.wait()
        _log("shutting down")
    finally:
        await server.stop(args.grace)
        # The metrics server runs in a daemon thread and goes away with the process
        # (its shutdown() would wait up to 0.5 s for serve_forever's poll).
    return 0


def main(argv=None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)

    # Same as `pyflyte serve connector` (cwd on sys.path), plus this directory so
    # that `--modules test_connectors` works from anywhere.
    for path in (os.getcwd(), HERE):
        if all(os.path.realpath(p) != os.path.realpath(path) for p in sys.path):
            sys.path.append(path)

    # flytekit makes a /tmp/flyte-XXXX sandbox dir at import: keep it in a private
    # temp dir that is removed on exit.
    tmp = tempfile.mkdtemp(prefix="agentctl-connector-server-")
    os.environ["TMPDIR"] = tmp
    tempfile.tempdir = tmp
    try:
        # Keep stdout clean: anything flytekit prints while importing goes to stderr.
        with contextlib.redirect_stdout(sys.stderr):
            import flytekit  # noqa: F401  (loads flytekit.plugins entry points; registers the Sensor connector)

            for m in args.modules:
                importlib.import_module(m)

        try:
            return asyncio.run(_serve(args))
        except KeyboardInterrupt:
            return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
