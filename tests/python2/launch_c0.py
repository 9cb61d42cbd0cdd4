#!/usr/bin/env python3
"""Start the Flyte 2 SDK's real connector gRPC server (c0) on 127.0.0.1 for agentctl's tests.

This runs what the ``c0`` console script runs (``flyte._bin.connect:main`` ->
``flyte.connectors.ConnectorService.run`` -> ``flyte.connectors.utils._start_grpc_server``):
the same function, so the same ``grpc.aio`` server, flyte's ``AsyncConnectorService`` and
``ConnectorMetadataService`` (``flyteidl2.connector.*``), the gRPC health servicer, the
``flyte.connectors`` entry points and ``--modules``. Only where things bind is changed:

* gRPC: the server's ``add_insecure_port("[::]:8000")`` is wrapped to bind
  ``127.0.0.1:<--port>`` instead (default 0 = OS-picked; the real port is captured), and the
  server is created without SO_REUSEPORT (a taken ``--port`` makes the launcher exit 3
  instead of silently sharing the port with another server);
* metrics: flyte's ``_start_http_server`` is replaced by
  ``prometheus_client.start_http_server(<--prometheus-port>, addr="127.0.0.1")`` (default 0 =
  OS-picked, printed to stderr as ``metrics on 127.0.0.1:PORT``); ``--prometheus-port -1``
  disables it.

``DO_NOT_TRACK=1`` is set (no Sentry telemetry) before flyte is imported. This directory and the
current directory are on ``sys.path``, so ``--modules test_connectors2`` works from anywhere.

Once the server answers a gRPC health check (``flyteidl2.connector.AsyncConnectorService``)
on its own port, exactly one line ``listening on 127.0.0.1:PORT`` is printed to stdout (and
flushed). Everything else (flyte's banner and connector table, logs) goes to stderr.
SIGTERM/SIGINT (and, with --exit-on-stdin-eof, EOF on stdin) stop the server gracefully
(``--grace`` seconds) and the process exits 0. ``--timeout N`` is c0's own test switch (stop
after N s).

Usage: launch_c0.py [--modules M]... [--port N] [--prometheus-port N|-1] [--worker N]
                    [--grace S] [--timeout N] [--exit-on-stdin-eof]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = time.monotonic()
HEALTH_SERVICE = "flyteidl2.connector.AsyncConnectorService"


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
    p.add_argument("--worker", type=int, default=10, help="thread-pool workers (c0 default: 10)")
    p.add_argument("--grace", type=float, default=1.0, help="seconds of grace on shutdown")
    p.add_argument("--timeout", type=int, default=None, help="c0's --timeout: stop after N seconds")
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
        for _ in range(200):
            try:
                resp = await stub.Check(health_pb2.HealthCheckRequest(service=HEALTH_SERVICE), timeout=1.0)
                if resp.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("server did not become healthy")


class _BindError(Exception):
    pass


async def _serve(args, real_stdout) -> int:
    import grpc
    import grpc.aio

    from flyte.connectors import utils as c0_utils

    loop = asyncio.get_running_loop()
    servers = []  # the grpc.aio server _start_grpc_server creates
    started = asyncio.Event()  # set once that server has started
    stopping = asyncio.Event()  # set by SIGTERM/SIGINT/stdin EOF
    announced = []
    unhealthy = []

    # --- gRPC: bind 127.0.0.1 instead of [::] ----------------------------------------------
    real_server_factory = grpc.aio.server

    def server_factory(*a, **kw):
        options = list(kw.pop("options", None) or [])
        options.append(("grpc.so_reuseport", 0))
        server = real_server_factory(*a, options=options, **kw)
        real_add_port = server.add_insecure_port
        real_start = server.start

        def add_insecure_port(address: str) -> int:
            _log(f"c0 asked for {address}; binding 127.0.0.1:{args.port} instead")
            try:
                port = real_add_port(f"127.0.0.1:{args.port}")
            except RuntimeError:
                port = 0
            if port == 0:
                raise _BindError(f"could not bind 127.0.0.1:{args.port}")
            server.agentctl_port = port
            return port

        async def start() -> None:
            await real_start()
            started.set()
            loop.create_task(_announce(server))

        server.add_insecure_port = add_insecure_port
        server.start = start
        servers.append(server)
        return server

    async def _announce(server) -> None:
        port = server.agentctl_port
        try:
            await _wait_until_serving(port)
        except Exception as e:  # never healthy: stop instead of hanging silently
            _log(f"error: {e}")
            unhealthy.append(port)
            request_stop("not healthy")
            return
        if stopping.is_set():
            return
        real_stdout.write(f"listening on 127.0.0.1:{port}\n")
        real_stdout.flush()
        announced.append(port)
        _log(f"serving after {time.monotonic() - T0:.2f}s")

    # --- Prometheus: 127.0.0.1, OS-picked port (or off) --------------------------------------
    def start_http_server(_prometheus_port: int) -> None:
        if args.prometheus_port < 0:
            _log("metrics disabled")
            return
        from prometheus_client import start_http_server as prom_start

        metrics_server, _thread = prom_start(args.prometheus_port, addr="127.0.0.1")
        _log(f"metrics on 127.0.0.1:{metrics_server.server_port}")

    # --- stop on SIGTERM / SIGINT / stdin EOF ------------------------------------------------
    def request_stop(why: str) -> None:
        if not stopping.is_set():
            _log(f"shutting down ({why})")
            stopping.set()

    async def stopper() -> None:
        await stopping.wait()
        await started.wait()
        # server.stop() makes _start_grpc_server's wait_for_termination() return normally.
        # (Cancelling wait_for_termination instead would cancel grpc's shutdown future.)
        await servers[0].stop(args.grace)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop, signal.Signals(sig).name)
    if args.exit_on_stdin_eof:
        fd = sys.stdin.fileno()

        def _on_stdin() -> None:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                loop.remove_reader(fd)
                request_stop("stdin closed")

        loop.add_reader(fd, _on_stdin)

    grpc.aio.server = server_factory
    c0_utils._start_http_server = start_http_server
    stop_task = loop.create_task(stopper())
    try:
        # flyte prints its banner and connector table to stdout: keep stdout for the one line.
        with contextlib.redirect_stdout(sys.stderr):
            # Same call as `c0 --port P --prometheus_port Q --worker W --timeout T --modules M...`
            await c0_utils._start_grpc_server(args.port, args.prometheus_port, args.worker, args.timeout, args.modules)
    except _BindError as e:
        _log(f"error: {e}")
        return 3
    finally:
        grpc.aio.server = real_server_factory
        if stop_task.done():
            stop_task.result()
        else:
            stop_task.cancel()
            if started.is_set():  # --timeout ran out: c0 itself would just exit
                await servers[0].stop(0)
    if unhealthy or (not announced and not stopping.is_set()):
        _log("error: the server stopped before it answered a health check")
        return 1
    return 0


def main(argv=None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    os.environ["DO_NOT_TRACK"] = "1"

    # c0 appends the working directory to sys.path (ConnectorService.run); add this directory
    # too so that `--modules test_connectors2` works from anywhere.
    for path in (os.getcwd(), HERE):
        if all(os.path.realpath(p) != os.path.realpath(path) for p in sys.path):
            sys.path.append(path)

    real_stdout = sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr):
            import flyte.connectors  # noqa: F401  (fails early if flyte[connector] is missing)
        return asyncio.run(_serve(args, real_stdout))
    except KeyboardInterrupt:
        return 0
    except Exception:
        # e.g. a --modules import error: report it on stderr (flyte's excepthook would print
        # a "Filtered traceback" to stdout) and exit 1.
        traceback.print_exc(file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
