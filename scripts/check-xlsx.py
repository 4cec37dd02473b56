"""Reads an .xlsx export with openpyxl and checks it is one Excel computes with. Usage:
check-xlsx.py FILE EXPECTED, where EXPECTED is JSON text or @PATH of a JSON file.

Always checked: the header row is bold and frozen (panes at A2), every column has a width, and no
cell is a formula. EXPECTED may name the sheet ("sheet"), the header ("header", in order), the number
of data rows ("rows"), minimum widths by header ("widths") and cells ("cells"): each
{"row": N (2 is the first data row) or {"HEADER": "value"} (the row holding that value),
 "column": "HEADER", "kind": KIND, "value": ..., "symbol": "¥", "whole": true}
where KIND is text (a string), integer, number, money (a number whose format has the symbol and
`0.00`, or `#,##0` only when whole), percent (a number whose format has `%`), date (a date shown
`yyyy-mm-dd`; value "YYYY-MM-DD"), datetime (shown `yyyy-mm-dd hh:mm`; value "YYYY-MM-DD HH:MM")
or empty. Prints what it read; exits 1 on any difference."""

import datetime
import json
import sys

import openpyxl


def fail(message: str) -> None:
    print(f"check-xlsx: {message}")
    sys.exit(1)


def load_expected(arg: str) -> dict:
    if arg.startswith("@"):
        with open(arg[1:], encoding="utf-8") as f:
            return json.load(f)
    return json.loads(arg)


def check_cell(cell, spec: dict, where: str) -> None:
    kind, fmt = spec["kind"], cell.number_format or ""
    value = cell.value
    print(f"{where}: {value!r} type {cell.data_type} format {fmt!r}")
    if kind == "empty":
        if value is not None:
            fail(f"{where} should be empty, holds {value!r}")
        return
    if kind == "text":
        if cell.data_type != "s" or not isinstance(value, str):
            fail(f"{where} should be text (a string), is {cell.data_type} {value!r}")
    elif kind in ("integer", "number", "money", "percent"):
        if cell.data_type != "n" or isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(f"{where} should be a number, is {cell.data_type} {value!r}")
        if kind == "integer" and float(value) != int(value):
            fail(f"{where} should be a whole number, is {value!r}")
        if kind == "money":
            symbol = spec.get("symbol", "¥")
            digits = "#,##0" if spec.get("whole") else "0.00"
            if symbol not in fmt or digits not in fmt:
                fail(f"{where} should be shown with {symbol} and {digits}, format is {fmt!r}")
        if kind == "percent" and "%" not in fmt:
            fail(f"{where} should be shown as a percentage, format is {fmt!r}")
        if "format" in spec and spec["format"] not in fmt:
            fail(f"{where} should be shown with {spec['format']!r}, format is {fmt!r}")
    elif kind in ("date", "datetime"):
        if not cell.is_date or not isinstance(value, datetime.datetime):
            fail(f"{where} should be a date, is {cell.data_type} {value!r}")
        shown = "yyyy-mm-dd hh:mm" if kind == "datetime" else "yyyy-mm-dd"
        if shown not in fmt or (kind == "date" and "h" in fmt):
            fail(f"{where} should be shown {shown!r}, format is {fmt!r}")
        text = value.strftime("%Y-%m-%d %H:%M" if kind == "datetime" else "%Y-%m-%d")
        if "value" in spec and text != spec["value"]:
            fail(f"{where} should be {spec['value']}, is {text}")
        return
    else:
        fail(f"unknown kind {kind!r} for {where}")
    if "value" in spec:
        expected = spec["value"]
        same = abs(value - expected) < 1e-9 if isinstance(expected, (int, float)) else value == expected
        if not same:
            fail(f"{where} should be {expected!r}, is {value!r}")


def main() -> int:
    path, expected = sys.argv[1], load_expected(sys.argv[2])
    workbook = openpyxl.load_workbook(path)
    ws = workbook.worksheets[0]
    header = [c.value for c in ws[1]]
    print(f"{path}: sheet {ws.title!r}, {ws.max_row - 1} rows, header {header}")
    if "sheet" in expected and ws.title != expected["sheet"]:
        fail(f"the sheet is {ws.title!r}, expected {expected['sheet']!r}")
    if "header" in expected and header != expected["header"]:
        fail(f"the header is {header}, expected {expected['header']}")
    if "rows" in expected and ws.max_row - 1 != expected["rows"]:
        fail(f"{ws.max_row - 1} data rows, expected {expected['rows']}")
    for cell in ws[1]:
        if not cell.font.b:
            fail(f"header cell {cell.coordinate} is not bold")
    if ws.freeze_panes != "A2":
        fail(f"panes are frozen at {ws.freeze_panes!r}, not below the header (A2)")
    widths = {}
    for dim in ws.column_dimensions.values():
        if dim.customWidth and dim.width:
            for col in range(dim.min, dim.max + 1):
                widths[col] = dim.width
    for col, title in enumerate(header, start=1):
        if col not in widths:
            fail(f"column {title!r} has no width")
        least = expected.get("widths", {}).get(title)
        if least is not None and widths[col] < least:
            fail(f"column {title!r} is {widths[col]} wide, expected at least {least}")
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                fail(f"{cell.coordinate} is a formula: {cell.value!r}")
    for spec in expected.get("cells", []):
        col = header.index(spec["column"]) + 1
        row = spec["row"]
        if isinstance(row, dict):
            (key, wanted), = row.items()
            key_col = header.index(key) + 1
            found = [r for r in range(2, ws.max_row + 1) if ws.cell(r, key_col).value == wanted]
            if len(found) != 1:
                fail(f"{len(found)} rows have {key} = {wanted!r}, expected one")
            row = found[0]
        check_cell(ws.cell(row, col), spec, f"{spec['column']} of row {row}")
    print("check-xlsx: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
