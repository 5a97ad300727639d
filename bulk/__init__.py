"""Many rows in one statement: inserts, upserts, updates and IN conditions for a batch of rows.

On PostgreSQL each column's values travel as one array parameter (arrays); elsewhere (SQLite, the demo) as lists
of parameters. Used by every app, so it imports none of them: the bottom layer.
"""
