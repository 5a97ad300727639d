import os

from django.core.wsgi import get_wsgi_application

from avasam.garbage_collection import collect_for_a_server_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avasam.settings")

application = get_wsgi_application()
# gunicorn loads this module in each worker process, after forking it (it is not started with --preload).
collect_for_a_server_process()
