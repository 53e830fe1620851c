"""Which XLSX reader the import uses: time and peak memory of reading every row of a sheet.

    python -m bench.xlsx_readers --rows 200000

Writes a sheet of `--rows` rows (text, number, date, boolean) with openpyxl's write-only
workbook, then reads it in a fresh process per reader (openpyxl read-only, python-calamine)
and prints seconds and the reader process's peak RSS (ru_maxrss).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

READ = {
    "openpyxl": """
from openpyxl import load_workbook
book = load_workbook(PATH, read_only=True, data_only=True)
n = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
""",
    "calamine": """
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path(PATH)
n = sum(1 for _ in book.get_sheet_by_index(0).iter_rows())
""",
}
MEASURE = """
import resource, time
PATH = {path!r}
started = time.perf_counter()
{code}
print(n, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _write(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("people")
    sheet.append(["Name", "Age", "Joined", "VIP"])
    for n in range(rows):
        sheet.append([f"Person {n}", n % 97 + 0.5, date(2000 + n % 25, n % 12 + 1, n % 28 + 1),
                      n % 2 == 0])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.xlsx"
        _write(path, rows)
        results = {"rows": rows, "xlsx_mb": round(path.stat().st_size / 2**20, 1)}
        for name, code in READ.items():
            out = subprocess.run([sys.executable, "-c", MEASURE.format(path=str(path),
                                                                       code=code)],
                                 capture_output=True, text=True, check=True).stdout.split()
            results[name] = {"rows": int(out[0]), "seconds": round(float(out[1]), 2),
                             "peak_rss_mb": round(int(out[2]) / 1024)}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
