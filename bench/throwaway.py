"""A benchmark's own PostgreSQL database: created and migrated from DATABASE_URL's name, dropped at the end."""

from __future__ import annotations

import sys
from collections.abc import Callable


def in_throwaway_database(suffix: str, run: Callable[[], int], *, keep: bool = False) -> int:
    """Set Django up, run `run()` in <DATABASE_URL's name>_<suffix> (fresh and migrated), and drop it unless `keep`."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"{database['NAME']}_{suffix}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        return run()
    finally:
        if not keep:
            connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)
