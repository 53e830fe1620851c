"""Where the files that travel with the server are: the migrations (alembic/) and the admin
(frontend_static/). Both stay at the top of the repository; a wheel carries them inside the
package as `objectry/_migrations` and `objectry/_admin` (setup.py), found here through
importlib.resources. A checkout (editable install, tests) reads them where they are."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]  # the repository, when running from one


def _find(packaged: str, in_checkout: str) -> Path:
    inside = resources.files("objectry").joinpath(packaged)
    if inside.is_dir():
        return Path(str(inside))  # an installed wheel is unpacked on disk
    return CHECKOUT / in_checkout


def migrations() -> Path:
    return _find("_migrations", "alembic")


def admin() -> Path:
    return _find("_admin", "frontend_static")
