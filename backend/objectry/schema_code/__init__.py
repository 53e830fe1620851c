"""Schema as code: a workspace's metadata as one document keyed by names (`document.py`),
read (`export.py`), compared (`diff.py`) and applied in one transaction (`apply.py`);
templates (`templates/`) and generated client types (`typegen.py`)."""
