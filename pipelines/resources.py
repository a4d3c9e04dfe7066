"""Where raw filings land and where the warehouse is published: JIXIAO_RAW_DIR, JIXIAO_WAREHOUSE_DIR
(folders or URLs), and where the stewards' files go: beside a local warehouse, else JIXIAO_LOCAL_DIR."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource

from filings.discover import UNPLACED
from filings.storage import Location, is_local, location

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default(variable: str, folder: str) -> str:
    return os.environ.get(variable) or str(PROJECT_ROOT / folder)


class JixiaoPaths(ConfigurableResource):
    """Folders or URLs (memory://, s3://, file://, …) of the landing zone and the warehouse, and the
    local folder for the stewards' files when the warehouse is a URL (relative paths are taken from
    the project)."""

    raw_dir: str = ""
    warehouse_dir: str = ""
    local_dir: str = ""

    @property
    def raw(self) -> Location:
        return location(self.raw_dir or _default("JIXIAO_RAW_DIR", "raw"), PROJECT_ROOT)

    @property
    def warehouse(self) -> Location:
        return location(self.warehouse_dir or _default("JIXIAO_WAREHOUSE_DIR", "warehouse"), PROJECT_ROOT)

    @property
    def local(self) -> Path:
        """The folder of great_expectations/ and reports/: the warehouse's parent when it is local,
        else JIXIAO_LOCAL_DIR (by default the project folder): these are read by people, not ported."""
        if is_local(self.warehouse):
            return self.warehouse.parent
        folder = location(self.local_dir or os.environ.get("JIXIAO_LOCAL_DIR") or ".", PROJECT_ROOT)
        if not is_local(folder):
            raise ValueError(f"JIXIAO_LOCAL_DIR must be a local folder, not {folder}")
        return folder

    @property
    def great_expectations(self) -> Path:
        """The GX project; Data Docs in gx/uncommitted/data_docs/local_site/."""
        return self.local / "great_expectations"

    @property
    def reports(self) -> Path:
        """Stewards' reports: reports/<year>/."""
        return self.local / "reports"

    def report_folder(self, year: int, region: str) -> Path:
        """A partition's report and workbook: reports/<year>/, reports/<year>/<region>/ for a region folder."""
        return self.reports / str(year) if region == UNPLACED else self.reports / str(year) / region
