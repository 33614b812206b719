"""Server-rendered pages: the same thin shape as api/ (selectors and services do the work)."""
