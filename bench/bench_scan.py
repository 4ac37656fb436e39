"""Times the sheet-XML scan (error cells, formulas without a value) on a sheet written with
`r=` and on the same sheet written without, against python-calamine reading the values of
the same sheet, all in the same run.

Run by hand (not a test):

    PYTHONPATH=. .venv/bin/python bench/bench_scan.py [rows]

Prints the median of 3 runs of each and its ratio to calamine's read of the values.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
import zipfile

import python_calamine as pc

from allot_xl.io.xlsx.read import scan_sheet

COLS = "ABCDEFGHIJKL"


def sheet(rows: int, with_r: bool) -> bytes:
    """`rows` rows of 12 numbers, an error cell every 1,000 rows."""
    out = []
    for i in range(1, rows + 1):
        refs = {c: f' r="{c}{i}"' if with_r else "" for c in COLS + "M"}
        cells = "".join(f"<c{refs[c]}><v>{i}</v></c>" for c in COLS)
        if i % 1000 == 0:
            cells += f'<c{refs["M"]} t="e"><v>#N/A</v></c>'
        row = f' r="{i}"' if with_r else ""
        out.append(f"<row{row}>{cells}</row>")
    return ("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
            f"<sheetData>{''.join(out)}</sheetData></worksheet>").encode()


def workbook(xml: bytes) -> bytes:
    main = "http://schemas.openxmlformats.org/"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", f'<Types xmlns="{main}package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType='
                   '"application/xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{main}package/2006/relationships">'
                   f'<Relationship Id="r1" Type="{main}officeDocument/2006/relationships/'
                   'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{main}spreadsheetml/2006/main" '
                   f'xmlns:r="{main}officeDocument/2006/relationships"><sheets><sheet '
                   'name="S" sheetId="1" r:id="r1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{main}package/2006/'
                   f'relationships"><Relationship Id="r1" Type="{main}officeDocument/2006/'
                   'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", xml)
    return buf.getvalue()


def median(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(rows: int) -> None:
    for with_r in (True, False):
        xml = sheet(rows, with_r)
        data = workbook(xml)
        base = median(lambda d=data: pc.load_workbook(io.BytesIO(d)).get_sheet_by_name("S")
                      .to_python(skip_empty_area=False))
        scan = median(lambda x=xml: scan_sheet(io.BytesIO(x), "S", "bench"))
        label = "avec r=" if with_r else "sans r="
        print(f"{rows:,} lignes {label} ({len(xml) / 1e6:.0f} Mo) : calamine {base:.2f} s, "
              f"scan {scan:.2f} s, scan ÷ calamine {scan / base:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
