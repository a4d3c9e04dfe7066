"""Where raw filings land and where the warehouse is published: JIXIAO_RAW_DIR, JIXIAO_WAREHOUSE_DIR."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default(variable: str, folder: str) -> str:
    return os.environ.get(variable) or str(PROJECT_ROOT / folder)


class JixiaoPaths(ConfigurableResource):
    """Folders of the landing zone and the warehouse (relative paths are taken from the project)."""

    raw_dir: str = ""
    warehouse_dir: str = ""

    @property
    def raw(self) -> Path:
        return _resolve(self.raw_dir or _default("JIXIAO_RAW_DIR", "raw"))

    @property
    def warehouse(self) -> Path:
        return _resolve(self.warehouse_dir or _default("JIXIAO_WAREHOUSE_DIR", "warehouse"))

    @property
    def great_expectations(self) -> Path:
        """The GX project beside the warehouse; Data Docs in gx/uncommitted/data_docs/local_site/."""
        return self.warehouse.parent / "great_expectations"

    @property
    def reports(self) -> Path:
        """Stewards' reports beside the warehouse: reports/<year>/."""
        return self.warehouse.parent / "reports"


def _resolve(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p
