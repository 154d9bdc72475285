"""Text in exported spreadsheets (CSV and Excel) stays text: never a live formula (issue 13, finding 9).

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some programs skip before
reading one of those) is taken as a formula by Excel and LibreOffice when a CSV file is opened, and openpyxl
writes such a Python string as a formula. Whoever can type text that reaches an export (a chronology entry, a
shelter's notes, a report's overview) could otherwise run `=HYPERLINK(...)` or DDE payloads on HQ's desktop.

Every export writes through this module: `csv_writer` / `csv_dict_writer` for CSV (a leading apostrophe, the
OWASP rule; spreadsheet programs hide it) and `set_cell` for openpyxl (the cell is stored as a string and marked
with Excel's own "quote prefix", so the text shows exactly as typed and is never evaluated).
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value):
    """`value` with a leading apostrophe when a spreadsheet would read it as a formula; other values unchanged."""
    return "'" + value if is_formula_like(value) else value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _SafeDictWriter(_SafeWriter):
    def writeheader(self):
        return self._writer.writeheader()

    def writerow(self, row):
        return self._writer.writerow({key: neutralise(value) for key, value in row.items()})


def csv_writer(out, **kwargs) -> _SafeWriter:
    """`csv.writer(out, **kwargs)` whose rows have every formula-like text neutralised."""
    return _SafeWriter(csv.writer(out, **kwargs))


def csv_dict_writer(out, fieldnames, **kwargs) -> _SafeDictWriter:
    """`csv.DictWriter(out, fieldnames, **kwargs)` whose rows have every formula-like text neutralised."""
    return _SafeDictWriter(csv.DictWriter(out, fieldnames=fieldnames, **kwargs))


def set_cell(sheet, row: int, column: int, value):
    """openpyxl's `sheet.cell(row, column, value)`, with text kept as text (never a formula or an error code)."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes "=…" a formula and "#N/A" an error
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell
