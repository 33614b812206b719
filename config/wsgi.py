"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()
# Everything loaded so far lives as long as the process: keep it out of the garbage collector's full
# collections, which otherwise rescan it and pause a request now and then.
gc.collect()
gc.freeze()
