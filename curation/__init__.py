"""The domain: models, services (writes), selectors (reads) and pure formulas.

Imports nothing from api/, frontend/ or workers/; knows no request, DRF or Celery."""
