"""Query-string filters of the resource listing; the filtering itself is curation.selectors.resource_filter."""

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from curation.enums import SourceKind
from curation.models import Resource
from curation.selectors import resource_filter, score_floor_parse


class ResourceFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(
        method="by_criteria", help_text="topic slug (the resource's or its source's)"
    )
    kind = django_filters.ChoiceFilter(method="by_criteria", choices=SourceKind.choices)
    source = django_filters.UUIDFilter(field_name="source__public_id")
    designation = django_filters.CharFilter(
        method="by_criteria", help_text="current designation label, e.g. Approved"
    )
    min_score = django_filters.CharFilter(
        method="by_criteria",
        help_text="instrument:minimum mean, e.g. air:30 (current version of the instrument)",
    )
    reviewed = django_filters.BooleanFilter(method="by_criteria")
    published_after = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lte")
    language = django_filters.CharFilter(method="by_criteria", help_text="language code, e.g. en")

    class Meta:
        model = Resource
        fields: list[str] = []

    def by_criteria(self, queryset: QuerySet[Resource], name: str, value: object) -> QuerySet[Resource]:
        if name == "min_score":
            try:
                value = score_floor_parse(str(value))
            except ValueError as error:
                raise ValidationError({"min_score": ["Use instrument:number, e.g. air:30."]}) from error
        return resource_filter(queryset, **{name: value})  # type: ignore[arg-type]
