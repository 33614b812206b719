"""Celery tasks and the harvesting pipeline (fetch -> parse -> normalise) that feeds curation services."""
