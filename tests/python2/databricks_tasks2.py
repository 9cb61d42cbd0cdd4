"""A Flyte 2 task with flyteplugins-databricks' own plugin config (gen_fixtures2.py step 3).

Imported only by gen_fixtures2.py, once it has put the plugin on sys.path.
"""
import flyte
from flyteplugins.databricks import Databricks

env = flyte.TaskEnvironment(
    name="agentctl_databricks",
    plugin_config=Databricks(
        spark_conf={"spark.driver.memory": "1000M"},
        databricks_conf={
            "run_name": "agentctl flyte 2",
            "new_cluster": {"spark_version": "13.3.x-scala2.12", "node_type_id": "m5.xlarge", "num_workers": 2},
            "timeout_seconds": 3600,
        },
        databricks_instance="dbc-agentctl.cloud.databricks.com",
        databricks_token="DATABRICKS_TOKEN_FOR_AGENTCTL",
    ),
    image="ghcr.io/flyteorg/flyte:py3.11-v2.12.1",
)


@env.task
async def databricks(n: int) -> None:
    print(n)  # returns nothing: the task writes its outputs itself, the tests' fake does not
