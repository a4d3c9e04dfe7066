"""Reporting years as Dagster partitions: one partition per year, 2010 up to the current year."""

from dagster import TimeWindowPartitionsDefinition

# Dagster has no yearly helper; a January-1st cron with a year format is one. end_offset=1 lets the
# current year be run too (filings for it may already be in raw/ for testing).
REPORTING_YEARS = TimeWindowPartitionsDefinition(
    start="2010", fmt="%Y", cron_schedule="0 0 1 1 *", end_offset=1
)
