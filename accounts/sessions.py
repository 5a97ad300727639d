"""Django's database sessions, read with SQL written once per process (SESSION_ENGINE = "accounts.sessions").

Every page reads its session first; compiling that query through the ORM took longer than PostgreSQL took to answer
it. Everything else (writing, expiry, clearing) is Django's own.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from bulk.rows import rows_where
from bulk.where import qualified_column

FIELDS = ["session_key", "session_data", "expire_date"]


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The unexpired session with this key, or None (and no key, as Django's own store leaves it)."""
        unexpired = RawSQL(  # noqa: S611 (a quoted column name and a placeholder)
            f"{qualified_column(self.model, 'expire_date')} > %s",
            [connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        rows = rows_where(self.model, FIELDS, unexpired, scope={"session_key": self.session_key})
        if not rows:
            self._session_key = None
            return None
        return self.model.from_db(connection.alias, FIELDS, rows[0])
