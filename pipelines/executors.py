"""The executor of the code location's jobs: Dagster's default (multiprocess; `jixiao run` executes
in process) unless JIXIAO_EXECUTOR names a cluster executor, configured from deploy/executors/."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from dagster import ExecutorDefinition

from pipelines.resources import PROJECT_ROOT

EXECUTOR_CONFIGS = PROJECT_ROOT / "deploy" / "executors"


def _k8s() -> ExecutorDefinition:
    from dagster_k8s import k8s_job_executor

    return k8s_job_executor


CLUSTER_EXECUTORS = {"k8s": _k8s}


def executor_config_file(name: str) -> Path:
    """JIXIAO_EXECUTOR_CONFIG, else deploy/executors/<name>.yaml."""
    return Path(os.environ.get("JIXIAO_EXECUTOR_CONFIG") or EXECUTOR_CONFIGS / f"{name}.yaml")


def executor_from_env() -> ExecutorDefinition | None:
    """The executor JIXIAO_EXECUTOR names, with its config file baked in, so runs started by the
    sensor and the schedule need no run config; None (Dagster's default) when it is unset."""
    name = os.environ.get("JIXIAO_EXECUTOR", "").strip()
    if name in ("", "default"):
        return None
    if name not in CLUSTER_EXECUTORS:
        raise ValueError(f"JIXIAO_EXECUTOR={name!r}: expected one of default, {', '.join(CLUSTER_EXECUTORS)}")
    config = yaml.safe_load(executor_config_file(name).read_text(encoding="utf-8")) or {}
    return CLUSTER_EXECUTORS[name]().configured(config, name=name)
