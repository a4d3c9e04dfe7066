"""Partitions: one per reporting year (2010 up to the current year) and region, the first folder under
the year (raw/<year>/<region>/…); files directly in raw/<year>/ are region "_" (未分地区)."""

from dagster import (
    DynamicPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

from filings.discover import UNPLACED

# Dagster has no yearly helper; a January-1st cron with a year format is one. end_offset=1 lets the
# current year be run too (filings for it may already be in raw/ for testing).
REPORTING_YEARS = TimeWindowPartitionsDefinition(
    start="2010", fmt="%Y", cron_schedule="0 0 1 1 *", end_offset=1
)

# Region keys are added by the sensor, the schedule and `jixiao run` as folders appear in raw/.
REGIONS = DynamicPartitionsDefinition(name="region")

YEAR_REGIONS = MultiPartitionsDefinition({"reporting_year": REPORTING_YEARS, "region": REGIONS})


def partition_key(year: int | str, region: str = UNPLACED) -> MultiPartitionKey:
    return MultiPartitionKey({"reporting_year": str(year), "region": region})


def year_region(key) -> tuple[int, str]:
    """The reporting year and region of a partition key of YEAR_REGIONS."""
    if not hasattr(key, "keys_by_dimension"):
        key = YEAR_REGIONS.get_partition_key_from_str(key)
    dimensions = key.keys_by_dimension
    return int(dimensions["reporting_year"]), dimensions["region"]
