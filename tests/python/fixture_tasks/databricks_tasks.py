"""Databricks tasks written by flytekitplugins-spark 1.16.31 itself (gen_fixtures.py step 4).

The plugin needs pyspark, a ~400 MB source distribution, only to run Spark locally; writing a
template does not touch it. So gen_fixtures.py installs the plugin alone (``--no-deps``) into
``<outdir>/site-databricks`` with a stub ``pyspark`` beside it, and imports this module only
then. Anywhere else (``pyflyte package`` of this package, ``pyflyte run tasks.py``) the plugin
is absent and this module defines nothing.
"""

try:
    from flytekitplugins.spark import Databricks, DatabricksV2
except ImportError:  # the plugin is not on sys.path: see the module docstring
    ALL_TASKS = {}
else:
    from flytekit import task

    INSTANCE = "dbc-agentctl.cloud.databricks.com"

    # The tasks return nothing: a Databricks task writes its outputs itself, which the fake
    # Jobs API of the Rust tests does not do.

    # DatabricksV2 on a new cluster (task type `databricks`), as the plugin's docs write it,
    # with a Spark conf and one retry (for INTERNAL_ERROR)
    @task(
        task_config=DatabricksV2(
            spark_conf={"spark.driver.memory": "1000M", "spark.executor.instances": "2"},
            databricks_conf={
                "run_name": "agentctl databricks",
                "new_cluster": {
                    "spark_version": "13.3.x-scala2.12",
                    "node_type_id": "m5.xlarge",
                    "num_workers": 2,
                    "spark_env_vars": {"PYSPARK_PYTHON": "/usr/bin/python3"},
                },
                "timeout_seconds": 3600,
                "max_retries": 0,
            },
            databricks_instance=INSTANCE,
        ),
        retries=1,
        container_image="ghcr.io/flyteorg/flytekit:py3.11-sqlsuite-1.16.31",
    )
    def databricks_count(n: int) -> None:
        print(n)

    # the deprecated Databricks config (task type `spark`) on an existing cluster, no instance:
    # the connector's FLYTE_DATABRICKS_INSTANCE applies
    @task(
        task_config=Databricks(
            spark_conf={"spark.driver.memory": "1000M"},
            databricks_conf={"run_name": "agentctl spark", "existing_cluster_id": "0123-456789-abcdefgh"},
        )
    )
    def databricks_existing(name: str) -> None:
        print(name)

    # OAuth M2M, which agentctl refuses (it speaks personal access tokens only)
    @task(
        task_config=DatabricksV2(
            databricks_conf={"run_name": "agentctl m2m", "existing_cluster_id": "0123-456789-abcdefgh"},
            databricks_instance=INSTANCE,
            databricks_auth_type="oauth_m2m",
            databricks_client_id="agentctl-sp",
        )
    )
    def databricks_m2m(n: int) -> None:
        print(n)

    # a notebook on a new cluster, with a git source of the user's
    @task(
        task_config=DatabricksV2(
            databricks_conf={
                "run_name": "agentctl notebook",
                "new_cluster": {"spark_version": "13.3.x-scala2.12", "node_type_id": "m5.xlarge", "num_workers": 1},
                "git_source": {"git_url": "https://github.com/example/notebooks", "git_provider": "gitHub", "git_branch": "main"},
            },
            databricks_instance=INSTANCE,
            notebook_path="notebooks/count",
            notebook_base_parameters={"limit": "10"},
        )
    )
    def databricks_notebook(n: int) -> None:
        print(n)

    ALL_TASKS = {
        t.name.rsplit(".", 1)[-1]: t
        for t in (databricks_count, databricks_existing, databricks_m2m, databricks_notebook)
    }
