"""Settings for the test suite: the real settings, with development keys allowed and fast hashing."""

import os

os.environ.setdefault("DEBUG", "true")

from avasam.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks enqueued with delay_on_commit run inline when the test's transaction commits.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
