from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    """Stable cursor pages; page size bounded so no request can ask for the whole catalogue."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-published_at", "-id")
