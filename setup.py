"""Packaging beyond pyproject.toml: the migrations (alembic/) and the admin (frontend_static/)
stay at the top of the repository and travel inside the wheel as `objectry/_migrations` and
`objectry/_admin`, where objectry/bundled.py finds them through importlib.resources.

An editable install (`pip install -e .`) copies nothing: it reads them from the checkout.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = {"alembic": "_migrations", "frontend_static": "_admin"}  # repository → package


class BuildPyWithBundled(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source, target in BUNDLED.items():
            shutil.copytree(source, Path(self.build_lib, "objectry", target), dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]"))


setup(cmdclass={"build_py": BuildPyWithBundled})
