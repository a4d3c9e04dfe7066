"""Great Expectations expectations over many of a table's columns at once: their types, and that
they hold no null. GX's own (expect_column_values_to_be_of_type, expect_column_values_to_not_be_null)
take one a column, and GX's machinery costs about as much per expectation whatever the rows: those
217 of the 269 expectations were about half of a region's validation, more of a small one's. Imported by
checks.expectations when GX is (GX registers these classes as they are defined, and must know them
before it reads a stored suite that names them)."""

import numpy as np
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.core.expect_column_values_to_be_of_type import native_type_type_map
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider
from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer


class ExpectTableColumnsToBeOfTypes(BatchExpectation):
    """Each column of `column_types` (name → GX's type name: str, int64, float64, bool) is of its
    type, judged as GX's expect_column_values_to_be_of_type judges a pandas column's: by the type
    of its dtype. The observed value gives each column of another type what it is instead
    (`int32, not int64`; `missing, not str`)."""

    column_types: dict[str, str]

    metric_dependencies = ("table.column_types",)
    success_keys = ("column_types",)
    args_keys = ("column_types",)

    def _validate(self, metrics, runtime_configuration=None, execution_engine=None):
        found = {column["name"]: column["type"].type for column in metrics["table.column_types"]}
        wrong = {name: f"{found[name].__name__ if name in found else 'missing'}, not {type_}"
                 for name, type_ in self.column_types.items() if found.get(name) not in _accepted(type_)}
        return {"success": not wrong, "result": {"observed_value": wrong or "all of their types"}}

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):
        types = configuration.kwargs["column_types"] if configuration is not None else {}
        return _sentence("columns must be of these types: "
                         + ", ".join(f"{name} {type_}" for name, type_ in types.items()))


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


class ExpectTableColumnsToNotBeNull(BatchExpectation):
    """No column of `column_list` holds a null. The observed value gives each column that does its
    number of null rows (`3 rows`), or `missing`."""

    column_list: list[str]

    metric_dependencies = ("table.column_null_counts",)
    success_keys = ("column_list",)
    args_keys = ("column_list",)

    def _validate(self, metrics, runtime_configuration=None, execution_engine=None):
        counts = metrics["table.column_null_counts"]
        nulls = {name: f"{counts[name]} rows" if name in counts else "missing"
                 for name in self.column_list if counts.get(name) != 0}
        return {"success": not nulls, "result": {"observed_value": nulls or "no null"}}

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):
        names = configuration.kwargs["column_list"] if configuration is not None else []
        return _sentence("values must never be null in these columns: " + ", ".join(names))


# The expectations whose observed value is column → what is wrong with it (a failure per column).
PER_COLUMN = frozenset(kind.expectation_type for kind in (ExpectTableColumnsToBeOfTypes, ExpectTableColumnsToNotBeNull))


def _sentence(text: str) -> list:
    """Data Docs' rendering of an expectation: `text` as it stands."""
    return [RenderedStringTemplateContent(content_block_type="string_template",
                                          string_template={"template": text, "params": {}})]
