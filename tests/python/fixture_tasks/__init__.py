"""flytekit task package used to produce agentctl's test fixtures (see gen_fixtures.py).

``pyflyte --pkgs fixture_tasks package --image x:1`` (cwd tests/python) packages it;
``pyflyte run fixture_tasks/tasks.py all_types --i 10 ...`` runs its tasks.
"""
