"""The fixture connector tasks, for `pyflyte run` local execution in the bench.

`pyflyte run bench/pyflyte_tasks.py success --x 1 --name a` runs the same task as
target/pyfixtures/success.template.json, in-process: flytekit's
AsyncConnectorExecutorMixin looks the connector up in its ConnectorRegistry, so the
test connectors must be imported (registered) first. Needs tests/python on
PYTHONPATH (bench/run sets it).
"""

import test_connectors  # noqa: F401  (registers agentctl_test_success, agentctl_test_slow, ...)
from fixture_tasks.tasks import slow, success

__all__ = ["success", "slow"]
