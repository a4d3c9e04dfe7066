"""The Dagster code location: assets, checks, job, schedule, sensor and resources."""

from dagster import Definitions, load_assets_from_package_module

import assets
from pipelines.executors import executor_from_env
from pipelines.jobs import annual_schedule, year_job
from pipelines.resources import JixiaoPaths
from pipelines.sensors import raw_files_sensor

defs = Definitions(
    assets=load_assets_from_package_module(assets),
    jobs=[year_job],
    schedules=[annual_schedule],
    sensors=[raw_files_sensor],
    resources={"paths": JixiaoPaths()},
    executor=executor_from_env(),  # None: Dagster's default; JIXIAO_EXECUTOR=k8s on a cluster
)
