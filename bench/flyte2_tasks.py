"""The Flyte 2 fixture connector tasks, for `flyte run --local` in the Flyte 2 bench (bench/run2).

`flyte run --local bench/flyte2_tasks.py success --x 1` runs the same task as
target/pyfixtures2/success.pb, in process: flyte's AsyncConnectorExecutorMixin looks the
connector up in its ConnectorRegistry and calls its create and get itself, with no server. So
the test connectors must be imported (registered) first. Needs tests/python2 on PYTHONPATH
(bench/run2 sets it).
"""

import test_connectors2  # noqa: F401  (registers agentctl2_success, agentctl2_slow, ...)
from fixture_tasks2 import env, slow, success

__all__ = ["env", "success", "slow"]
