"""A Great Expectations expectation for all of a table's column types at once. GX's own
(expect_column_values_to_be_of_type) takes one a column, and its machinery costs about as much per
expectation whatever the rows: those 154 of the 269 expectations were a third of a region's
validation. Imported by checks.expectations when GX is (GX registers the class as it is defined,
and must know it before reading a stored suite that names it)."""

from typing import Dict

import numpy as np
from great_expectations.expectations.core.expect_column_values_to_be_of_type import native_type_type_map
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer


class ExpectTableColumnsToBeOfTypes(BatchExpectation):
    """Each column of `column_types` (name → GX's type name: str, int64, float64, bool) is of its
    type, judged as GX's expect_column_values_to_be_of_type judges a pandas column's: by the type
    of its dtype. The observed value names each column of another type, or a missing one."""

    column_types: Dict[str, str]

    metric_dependencies = ("table.column_types",)
    success_keys = ("column_types",)
    args_keys = ("column_types",)

    def _validate(self, metrics, runtime_configuration=None, execution_engine=None):
        found = {column["name"]: column["type"].type for column in metrics["table.column_types"]}
        wrong = {name: found[name].__name__ if name in found else "missing"
                 for name, type_ in self.column_types.items() if found.get(name) not in accepted(type_)}
        return {"success": not wrong, "result": {"observed_value": wrong or "all of their types"}}

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):
        """How Data Docs state it: each column with its type."""
        types = configuration.kwargs["column_types"] if configuration is not None else {}
        return [RenderedStringTemplateContent(content_block_type="string_template", string_template={
            "template": "columns must be of these types: " + ", ".join(f"{name} {type_}" for name, type_ in types.items()),
            "params": {}})]


def accepted(type_: str) -> tuple[type, ...]:
    """The dtype types GX takes for `type_` (expect_column_values_to_be_of_type on pandas)."""
    return (np.dtype(type_).type, *(native_type_type_map(type_) or ()))
