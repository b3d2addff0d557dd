"""Rebuild invoices.xlsx (kept beside it so the binary file can be reviewed and regenerated).

The first sheet is a cover page, the data is on "Open Invoices" with real Excel date cells.
Run: python examples/acme/build_invoices_xlsx.py
"""

from datetime import date
from pathlib import Path

from openpyxl import Workbook

ROWS = [
    # Invoice #, Customer, Invoice Date, Due Date, Total, Balance Due, Status, PO Number
    ("A-10401", "Globex Corporation", date(2026, 10, 28), date(2026, 11, 27), 18250.00, 18250.00, "Open", "GX-9912"),
    ("A-10402", "Globex Corporation", date(2026, 10, 28), date(2026, 11, 27), 4125.50, 4125.50, "Open", "GX-9913"),
    ("A-10388", "Initech LLC", date(2026, 10, 20), date(2026, 11, 19), 2980.00, 2980.00, "Open", ""),
    ("A-10371", "Initech LLC", date(2026, 10, 9), date(2026, 11, 8), 7600.00, 3600.00, "Partial", "IN-221"),
    ("A-10355", "Umbrella Retail", date(2026, 10, 1), date(2026, 10, 31), 1240.00, 1240.00, "Open", ""),
    ("A-10356", "Umbrella Retail", date(2026, 10, 15), date(2026, 11, 14), 890.00, 890.00, "Open", ""),
    ("A-10330", "Stark Hardware & Sons", date(2026, 9, 18), date(2026, 10, 18), 12400.00, 12400.00, "Open", "SH/77"),
    ("A-10398", "Stark Hardware & Sons", date(2026, 10, 24), date(2026, 11, 23), 560.00, 560.00, "Open", "SH/81"),
    ("A-10310", "Wayne Logistics", date(2026, 9, 2), date(2026, 10, 2), 25300.00, 25300.00, "Open", "WL-3001"),
    ("A-10377", "Wayne Logistics", date(2026, 10, 14), date(2026, 11, 13), 3300.00, 0.00, "Paid", "WL-3019"),
    ("A-10390", "Tyrell Imports", date(2026, 10, 22), date(2026, 11, 21), 9875.25, 9875.25, "Open", "TI-5"),
    ("A-10405", "Tyrell Imports", date(2026, 11, 2), date(2026, 12, 2), 1500.00, 1500.00, "Draft", ""),
]


def build(path: Path) -> None:
    wb = Workbook()
    cover = wb.active
    cover.title = "Read me"
    cover.append(["Acme Supply Co. - accounts receivable"])
    cover.append(["Exported from the books on", date(2026, 11, 23)])
    cover.append(["The open invoices are on the next sheet."])
    sheet = wb.create_sheet("Open Invoices")
    sheet.append(["Invoice #", "Customer", "Invoice Date", "Due Date", "Total", "Balance Due", "Status", "PO Number"])
    for row in ROWS:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2, min_col=3, max_col=4):
        for cell in cells:
            cell.number_format = "mm/dd/yyyy"
    wb.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("invoices.xlsx"))
