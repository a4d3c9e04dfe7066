"""Great Expectations expectations over many of a table's columns at once: their types, that they
hold no null, that their values are in their sets or ranges, that their keys are unique. GX's own
(expect_column_values_to_be_of_type, _to_not_be_null, _to_be_in_set, _to_be_between, _to_be_unique,
expect_compound_columns_to_be_unique) take one a column or key, and GX's machinery costs about as
much per expectation whatever the rows: 217 of 269 expectations were about half of a region's
validation, and the 42 left of the per-column ones (of 72) half of what remained. Each gives, as
its observed value, every column (or key) that fails and what is wrong with it. Imported by
checks.expectations when GX is (GX registers these classes as they are defined, and must know them
before it reads a stored suite that names them)."""

import math
from abc import abstractmethod

import numpy as np
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.core.expect_column_values_to_be_of_type import native_type_type_map
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider
from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer


class _PerColumn(BatchExpectation):
    """An expectation over many of a table's columns (or keys), its argument (its only field): met
    when nothing is wrong with any of them. Its observed value maps each that fails to what is
    wrong with it; by default, what its metric (its only one) finds."""

    @classmethod
    @abstractmethod
    def _wording(cls, argument) -> str:
        """The expectation in words, for Data Docs."""

    def _wrong(self, metrics) -> dict[str, str]:
        return metrics[self.metric_dependencies[0]]

    def _validate(self, metrics, runtime_configuration=None, execution_engine=None):
        wrong = self._wrong(metrics)
        return {"success": not wrong, "result": {"observed_value": wrong or "none"}}

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):
        return _sentence(cls._wording(configuration.kwargs[cls.args_keys[0]]) if configuration is not None else "")


class ExpectTableColumnsToBeOfTypes(_PerColumn):
    """Each column of `column_types` (name → GX's type name: str, int64, float64, bool) is of its
    type, judged as GX's expect_column_values_to_be_of_type judges a pandas column's: by the type
    of its dtype. A column of another type is told what it is instead (`int32, not int64`;
    `missing, not str`)."""

    column_types: dict[str, str]

    metric_dependencies = ("table.column_types",)
    success_keys = args_keys = ("column_types",)

    def _wrong(self, metrics) -> dict[str, str]:
        found = {column["name"]: column["type"].type for column in metrics["table.column_types"]}
        return {name: f"{found[name].__name__ if name in found else 'missing'}, not {type_}"
                for name, type_ in self.column_types.items() if found.get(name) not in _accepted(type_)}

    @classmethod
    def _wording(cls, argument) -> str:
        return "columns must be of these types: " + ", ".join(f"{name} {type_}" for name, type_ in argument.items())


def _accepted(type_: str) -> tuple[type, ...]:
    """The dtype types GX takes for `type_` (expect_column_values_to_be_of_type on pandas)."""
    return (np.dtype(type_).type, *(native_type_type_map(type_) or ()))


class TableColumnNullCounts(TableMetricProvider):
    """The number of nulls in each column: column name → count."""

    metric_name = "table.column_null_counts"

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        frame, _, _ = execution_engine.get_compute_domain(metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE)
        return {str(name): int(count) for name, count in frame.isna().sum().items()}


class ExpectTableColumnsToNotBeNull(_PerColumn):
    """No column of `column_list` holds a null. A column that does is told its number of null rows
    (`3 rows`), or `missing`."""

    column_list: list[str]

    metric_dependencies = ("table.column_null_counts",)
    success_keys = args_keys = ("column_list",)

    def _wrong(self, metrics) -> dict[str, str]:
        counts = metrics["table.column_null_counts"]
        return {name: f"{counts[name]} rows" if name in counts else "missing"
                for name in self.column_list if counts.get(name) != 0}

    @classmethod
    def _wording(cls, argument) -> str:
        return "values must never be null in these columns: " + ", ".join(argument)


class TableColumnValuesOutsideSets(TableMetricProvider):
    """Rows whose value (not null) is outside its column's set: column → what is wrong."""

    metric_name = "table.column_values_outside_sets"
    value_keys = ("value_sets",)

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        return _outside(execution_engine, metric_domain_kwargs, metric_value_kwargs["value_sets"],
                        lambda values, allowed: ~values.isin(allowed))


class TableColumnValuesOutsideRanges(TableMetricProvider):
    """Rows whose value (not null) is outside its column's [min, max] (None: unbounded): column → what is wrong."""

    metric_name = "table.column_values_outside_ranges"
    value_keys = ("ranges",)

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        return _outside(execution_engine, metric_domain_kwargs, metric_value_kwargs["ranges"], _beyond)


def _beyond(values, bounds: list):
    """Which `values` lie outside [min, max] (a None bound: none on that side)."""
    low, high = bounds
    return ~values.between(-math.inf if low is None else low, math.inf if high is None else high)


class TableRepeatedKeys(TableMetricProvider):
    """Rows whose key (one column or several, not all null) another row holds: key → what is wrong."""

    metric_name = "table.repeated_keys"
    value_keys = ("keys",)

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        frame, _, _ = execution_engine.get_compute_domain(metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE)
        found = {}
        for key in metric_value_kwargs["keys"]:
            if any(name not in frame.columns for name in key):
                found[", ".join(key)] = "missing"
                continue
            values = frame[key].dropna(how="all")
            repeated = values[values.duplicated(keep=False)]
            if len(repeated):
                first = repeated.head(3)
                found[", ".join(key)] = _rows(len(repeated), first[key[0]].tolist() if len(key) == 1
                                              else first.to_dict("records"))
        return found


def _outside(execution_engine, domain: dict, allowed: dict, outside) -> dict[str, str]:
    """Column → what is wrong with it, for each column of `allowed` (name → what its values may be):
    `missing`, its non-null values for which `outside(values, allowed[name])` holds (`3 rows, e.g.
    [0, 0, 0]`), or values that cannot be compared."""
    frame, _, _ = execution_engine.get_compute_domain(domain, domain_type=MetricDomainTypes.TABLE)
    wrong = {}
    for name, spec in allowed.items():
        if name not in frame.columns:
            wrong[name] = "missing"
            continue
        values = frame[name].dropna()
        try:
            found = values[outside(values, spec)]
        except (TypeError, NotImplementedError):  # strings against a number's bounds (its type fails too)
            wrong[name] = f"values of type {values.dtype} cannot be compared"
            continue
        if len(found):
            wrong[name] = _rows(len(found), found.head(3).tolist())
    return wrong


def _rows(count: int, first: list) -> str:
    """As GX words a column's failure: the rows and the first of their values."""
    return f"{count} rows, e.g. {first}"


class ExpectTableColumnsToBeInSets(_PerColumn):
    """Each column of `value_sets` (name → allowed values) holds only its values, nulls aside."""

    value_sets: dict[str, list]

    metric_dependencies = ("table.column_values_outside_sets",)
    success_keys = args_keys = ("value_sets",)

    @classmethod
    def _wording(cls, argument) -> str:
        return "values must be one of: " + "; ".join(f"{name} {', '.join(map(str, allowed))}"
                                                     for name, allowed in argument.items())


class ExpectTableColumnsToBeBetween(_PerColumn):
    """Each column of `ranges` (name → [min, max], inclusive, None for no bound) holds only values
    within it, nulls aside."""

    ranges: dict[str, list]

    metric_dependencies = ("table.column_values_outside_ranges",)
    success_keys = args_keys = ("ranges",)

    @classmethod
    def _wording(cls, argument) -> str:
        return "values must lie within: " + ", ".join(
            f"{name} " + (f"≥ {low}" if high is None else f"≤ {high}" if low is None else f"{low}–{high}")
            for name, (low, high) in argument.items())


class ExpectTableKeysToBeUnique(_PerColumn):
    """No two rows hold the same value of each key of `keys` (a key: one column or several)."""

    keys: list[list[str]]

    metric_dependencies = ("table.repeated_keys",)
    success_keys = args_keys = ("keys",)

    @classmethod
    def _wording(cls, argument) -> str:
        return "no two rows may share their " + "; ".join(", ".join(key) for key in argument)


# The expectations whose observed value is column (or key) → what is wrong with it: a failure each.
PER_COLUMN = frozenset(kind.expectation_type for kind in _PerColumn.__subclasses__())


def _sentence(text: str) -> list:
    """Data Docs' rendering of an expectation: `text` as it stands."""
    return [RenderedStringTemplateContent(content_block_type="string_template",
                                          string_template={"template": text, "params": {}})]
