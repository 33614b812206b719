"""Cursor pagination for the API: bounded pages, and relevance pages for full-text search."""

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from curation.models import Resource
from curation.search import search_cursor_decode, search_cursor_encode
from curation.selectors.search import resource_search_page


class DefaultCursorPagination(CursorPagination):
    """Stable cursor pages; page size bounded so no request can ask for the whole catalogue."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-published_at", "-id")


class SearchCursorPagination(DefaultCursorPagination):
    """Pages of a full-text search by relevance. The cursor is a signed position (rank, id), read by
    curation.search.resource_search_page, which ranks only as far as the page needs. Next links only:
    relevance pages are read forwards."""

    def paginate_search(self, queryset: QuerySet[Resource], query: str, request: Request) -> list[Resource]:
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request) or self.page_size
        token = request.query_params.get(self.cursor_query_param)
        after = search_cursor_decode(token) if token else None
        if token and after is None:
            raise NotFound(self.invalid_cursor_message)
        page = resource_search_page(queryset, query, after=after, limit=self.page_size + 1)
        self.has_next, self.has_previous = len(page) > self.page_size, False
        self.page = page[: self.page_size]
        return self.page

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.page or self.base_url is None:
            return None
        return replace_query_param(
            self.base_url, self.cursor_query_param, search_cursor_encode(self.page[-1])
        )

    def get_previous_link(self) -> str | None:
        return None
