"""Settings for the test suite: the real settings, with development keys allowed and fast hashing."""

import os

os.environ.setdefault("DEBUG", "true")

from avasam.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks enqueued with delay_on_commit run inline when the test's transaction commits.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tests start their own simulator; never inherit the demo's endpoints from var/dev.env.
AMAZON_SP_API_ENDPOINT = None
AMAZON_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
AMAZON_SELLER_CENTRAL_URL = None
# Without Redis the fetching thread keeps tokens and rate-limit buckets in rows of its own database connection,
# which would wait on the test's open transaction.
ORDER_DOWNLOAD_PREFETCH = bool(REDIS_URL)  # noqa: F405
