"""The cluster configuration in deploy/, loaded the way Dagster loads it: the instance (Postgres
storage, Kubernetes run launcher) against Dagster's own schemas, the k8s_job_executor config against
the executor's, the job built with it, the Kubernetes Job a step would get, and the code location
loaded with JIXIAO_EXECUTOR=k8s. No Postgres server or cluster is needed (none is reached)."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes
import pytest
import yaml
from dagster import DagsterInstance, DagsterRun, validate_run_config
from dagster._config import process_config
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.executor.init import InitExecutorContext
from dagster._core.executor.step_delegating import StepDelegatingExecutor
from dagster._core.instance.config import dagster_instance_config
from dagster._core.instance.ref import InstanceRef
from dagster._serdes.config_class import ConfigurableClassData
from dagster_k8s import K8sRunLauncher
from dagster_k8s.container_context import K8sContainerContext
from dagster_k8s.job import construct_dagster_k8s_job
from dagster_postgres.utils import pg_url_from_config

from conftest import BIN, PROJECT

DEPLOY = PROJECT / "deploy"
PG_ENV = {"DAGSTER_PG_HOST": "db.bureau.internal", "DAGSTER_PG_USERNAME": "jixiao",
          "DAGSTER_PG_PASSWORD": "p@ss word", "DAGSTER_PG_DB": "dagster"}


@pytest.fixture
def pg_env(monkeypatch):
    for name, value in PG_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def kubeconfig(tmp_path) -> Path:
    """A kubeconfig naming a cluster nobody contacts: the k8s client only parses it."""
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "bureau",
        "clusters": [{"name": "bureau", "cluster": {"server": "https://127.0.0.1:6443"}}],
        "contexts": [{"name": "bureau", "context": {"cluster": "bureau", "user": "jixiao"}}],
        "users": [{"name": "jixiao", "user": {"token": "unused"}}],
    }))
    return path


def instance_ref(tmp_path: Path, config_dir: Path = DEPLOY) -> InstanceRef:
    return InstanceRef.from_dir(str(tmp_path), config_dir=str(config_dir))


def rehydrate_config(data: ConfigurableClassData) -> dict:
    """A component's config processed against its own class's schema, env vars resolved."""
    klass = getattr(importlib.import_module(data.module_name), data.class_name)
    result = process_config(klass.config_type(), data.config_dict)
    assert result.success, f"{data.class_name}: {[e.message for e in result.errors]}"
    return result.value


def test_instance_yaml_is_a_valid_dagster_instance_with_postgres_and_k8s(tmp_path, pg_env):
    config, custom_class = dagster_instance_config(str(DEPLOY))
    assert custom_class is None and config["telemetry"] == {"enabled": False}
    ref = instance_ref(tmp_path)
    classes = {name: (getattr(ref, name).module_name, getattr(ref, name).class_name) for name in
               ("storage_data", "run_storage_data", "event_storage_data", "schedule_storage_data",
                "run_launcher_data", "run_coordinator_data")}
    assert classes == {
        "storage_data": ("dagster_postgres", "DagsterPostgresStorage"),
        "run_storage_data": ("dagster_postgres", "PostgresRunStorage"),
        "event_storage_data": ("dagster_postgres", "PostgresEventLogStorage"),
        "schedule_storage_data": ("dagster_postgres", "PostgresScheduleStorage"),
        "run_launcher_data": ("dagster_k8s", "K8sRunLauncher"),
        "run_coordinator_data": ("dagster._core.run_coordinator", "QueuedRunCoordinator"),
    }
    for data in (ref.storage_data, ref.run_storage_data, ref.event_storage_data, ref.schedule_storage_data,
                 ref.run_launcher_data, ref.run_coordinator_data, ref.compute_logs_data,
                 ref.local_artifact_storage_data):
        rehydrate_config(data)
    assert rehydrate_config(ref.run_coordinator_data)["max_concurrent_runs"] == 4
    # step outputs and step logs go to the shared volume every pod mounts
    assert rehydrate_config(ref.local_artifact_storage_data)["base_dir"].startswith("/data/")
    assert rehydrate_config(ref.compute_logs_data)["base_dir"].startswith("/data/")


def test_postgres_url_comes_from_the_environment(tmp_path, pg_env):
    storage = rehydrate_config(instance_ref(tmp_path).storage_data)
    assert pg_url_from_config(storage) == "postgresql://jixiao:p%40ss%20word@db.bureau.internal:5432/dagster"


def test_missing_postgres_setting_is_refused(tmp_path, monkeypatch, pg_env):
    monkeypatch.delenv("DAGSTER_PG_HOST")
    result = process_config(importlib.import_module("dagster_postgres").DagsterPostgresStorage.config_type(),
                            instance_ref(tmp_path).storage_data.config_dict)
    assert not result.success and "DAGSTER_PG_HOST" in result.errors[0].message


def test_a_mistyped_instance_file_is_refused(tmp_path):
    broken = tmp_path / "config"
    broken.mkdir()
    text = (DEPLOY / "dagster.yaml").read_text().replace("run_queue:", "run_queues:")
    (broken / "dagster.yaml").write_text(text)
    with pytest.raises(DagsterInvalidConfigError, match="run_queues"):
        instance_ref(tmp_path, broken)


def test_run_launcher_is_built_from_the_instance_file(tmp_path, pg_env, kubeconfig):
    data = instance_ref(tmp_path).run_launcher_data
    outside_cluster = {**data.config_dict, "load_incluster_config": False, "kubeconfig_file": str(kubeconfig)}
    launcher = ConfigurableClassData(data.module_name, data.class_name,
                                     yaml.safe_dump(outside_cluster)).rehydrate(as_type=K8sRunLauncher)
    assert launcher.job_namespace == "jixiao" and launcher.instance_config_map == "jixiao-instance"
    assert launcher.postgres_password_secret == "jixiao-postgres"


def k8s_executor(monkeypatch):
    monkeypatch.setenv("JIXIAO_EXECUTOR", "k8s")
    from pipelines.executors import executor_from_env

    return executor_from_env()


def cluster_job(executor):
    from dagster import Definitions, load_assets_from_package_module

    import assets
    from pipelines.jobs import year_job
    from pipelines.resources import JixiaoPaths

    defs = Definitions(assets=load_assets_from_package_module(assets), jobs=[year_job],
                       resources={"paths": JixiaoPaths()}, executor=executor)
    return defs.resolve_job_def("jixiao_year")


def test_executor_config_fits_the_k8s_job_executor_schema(monkeypatch):
    from dagster_k8s import k8s_job_executor

    config = yaml.safe_load((DEPLOY / "executors" / "k8s.yaml").read_text())
    result = process_config(k8s_job_executor.config_schema.as_field().config_type, config)
    assert result.success, [e.message for e in result.errors]
    broken = {**config, "max_concurrent": "four"}
    assert not process_config(k8s_job_executor.config_schema.as_field().config_type, broken).success


def test_job_built_with_the_k8s_executor_needs_no_run_config(monkeypatch):
    job = cluster_job(k8s_executor(monkeypatch))
    assert job.executor_def.name == "k8s"
    # sensor and schedule runs carry no run config: the executor's comes from deploy/executors/k8s.yaml
    execution = validate_run_config(job, {})["execution"]["k8s"]
    assert execution["job_namespace"] == "jixiao" and execution["max_concurrent"] == 4
    assert {"name": "jixiao-data", "mount_path": "/data"} in execution["volume_mounts"]


def test_unknown_executor_name_is_refused(monkeypatch):
    monkeypatch.setenv("JIXIAO_EXECUTOR", "celery-typo")
    from pipelines.executors import executor_from_env

    with pytest.raises(ValueError, match="celery-typo"):
        executor_from_env()


def test_default_executor_unchanged_without_the_variable(monkeypatch):
    monkeypatch.delenv("JIXIAO_EXECUTOR", raising=False)
    from pipelines.executors import executor_from_env

    assert executor_from_env() is None
    assert cluster_job(None).executor_def.name == "multi_or_in_process_executor"


def test_a_step_pod_gets_the_shared_volume_paths_and_database(tmp_path, monkeypatch, pg_env, kubeconfig):
    """The Kubernetes Job the executor would submit for a step, built (not submitted) from both files."""
    data = instance_ref(tmp_path).run_launcher_data
    launcher = ConfigurableClassData(data.module_name, data.class_name, yaml.safe_dump(
        {**data.config_dict, "load_incluster_config": False, "kubeconfig_file": str(kubeconfig)})
    ).rehydrate(as_type=K8sRunLauncher)
    executor_def = k8s_executor(monkeypatch)
    job = cluster_job(executor_def)
    config = {**validate_run_config(job, {})["execution"]["k8s"],
              "load_incluster_config": False, "kubeconfig_file": str(kubeconfig)}
    executor = executor_def.executor_creation_fn(InitExecutorContext(
        job=InMemoryJob(job), executor_def=executor_def, executor_config=config,
        instance=DagsterInstance.ephemeral()))
    assert isinstance(executor, StepDelegatingExecutor)
    step_handler = executor._step_handler  # noqa: SLF001 — the handler builds the step's pod
    run = DagsterRun(job_name="jixiao_year", run_id="0" * 32)
    context = K8sContainerContext.create_for_run(run, launcher, include_run_tags=False).merge(
        step_handler._executor_container_context)  # noqa: SLF001
    manifest = kubernetes.client.ApiClient().sanitize_for_serialization(construct_dagster_k8s_job(
        context.get_k8s_job_config("registry.bureau.internal/jixiao:1", launcher),
        ["dagster", "api", "execute_step"], "dagster-step-test", pod_name="dagster-step-test",
        component="step_worker", user_defined_k8s_config=context.run_k8s_config))
    pod = manifest["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = {e["name"]: e.get("value") or e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"]}
    assert env["JIXIAO_RAW_DIR"] == "/data/raw" and env["JIXIAO_WAREHOUSE_DIR"] == "/data/warehouse"
    assert env["DAGSTER_PG_HOST"] == "db.bureau.internal" and env["DAGSTER_PG_PASSWORD"] == "jixiao-postgres"
    assert container["volumeMounts"] == [{"mountPath": "/data", "name": "jixiao-data"}]
    assert pod["volumes"] == [{"name": "jixiao-data", "persistentVolumeClaim": {"claimName": "jixiao-data"}}]
    assert container["resources"]["requests"] == {"cpu": "2", "memory": "2Gi"}
    assert pod["serviceAccountName"] == "jixiao" and container["image"] == "registry.bureau.internal/jixiao:1"


def cli_env(tmp_path: Path, **extra: str) -> dict:
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return {**os.environ, "DAGSTER_HOME": str(home), **extra}


def test_code_location_loads_with_the_k8s_executor(tmp_path):
    env = cli_env(tmp_path, JIXIAO_EXECUTOR="k8s")
    validate = subprocess.run([str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
                              cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    probe = subprocess.run(
        [sys.executable, "-c", "from pipelines.definitions import defs; "
         "print(defs.resolve_job_def('jixiao_year').executor_def.name)"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300)
    assert probe.stdout.strip() == "k8s", probe.stderr


def test_code_location_refuses_an_unknown_executor(tmp_path):
    env = cli_env(tmp_path, JIXIAO_EXECUTOR="celery-typo")
    validate = subprocess.run([str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
                              cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300)
    assert validate.returncode != 0 and "celery-typo" in validate.stdout + validate.stderr


def test_executor_config_file_can_be_replaced(tmp_path, monkeypatch):
    own = tmp_path / "k8s.yaml"
    shutil.copy(DEPLOY / "executors" / "k8s.yaml", own)
    own.write_text(own.read_text().replace("max_concurrent: 4", "max_concurrent: 12"))
    monkeypatch.setenv("JIXIAO_EXECUTOR_CONFIG", str(own))
    job = cluster_job(k8s_executor(monkeypatch))
    assert validate_run_config(job, {})["execution"]["k8s"]["max_concurrent"] == 12


def test_cluster_workspace_points_at_the_code_server():
    from dagster._core.workspace.load import location_origins_from_yaml_paths

    [origin] = location_origins_from_yaml_paths([str(DEPLOY / "workspace.yaml")])
    assert (origin.location_name, origin.host, origin.port) == ("jixiao", "jixiao-code", 4000)
