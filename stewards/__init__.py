"""What a finance bureau hands its stewards each year: an HTML review and an Excel workbook. No Dagster here."""
