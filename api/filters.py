"""Query-string filters of the resource listing; the filtering itself is curation.selectors.resource_filter."""

from datetime import UTC, datetime, timedelta

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from curation.enums import SourceKind
from curation.models import Resource
from curation.selectors import resource_filter, score_floor_parse


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time whose UTC offset is a real one (within ±14:00; PostgreSQL refuses more) and
    whose year is within 1..9999 once converted to UTC."""

    def filter(self, queryset: QuerySet[Resource], value: datetime | None) -> QuerySet[Resource]:
        if value is not None:
            offset = value.utcoffset()
            if offset is not None and abs(offset) > timedelta(hours=14):
                raise ValidationError(
                    {self.field_name_for_errors: ["The time-zone offset must be within ±14:00."]}
                )
            try:
                value.astimezone(UTC)
            except OverflowError as error:
                raise ValidationError({self.field_name_for_errors: ["That date is out of range."]}) from error
        return super().filter(queryset, value)

    @property
    def field_name_for_errors(self) -> str:
        return str(self.label or self.field_name)


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
    reviewed = django_filters.ChoiceFilter(
        method="by_criteria",
        choices=[("true", "true"), ("false", "false")],
        help_text="true: only resources with public expert reviews; false: only those without",
    )
    published_after = BoundedIsoDateTimeFilter(
        field_name="published_at", lookup_expr="gte", label="published_after"
    )
    published_before = BoundedIsoDateTimeFilter(
        field_name="published_at", lookup_expr="lte", label="published_before"
    )
    language = django_filters.CharFilter(method="by_criteria", help_text="language code, e.g. en")

    class Meta:
        model = Resource
        fields: list[str] = []

    def by_criteria(self, queryset: QuerySet[Resource], name: str, value: object) -> QuerySet[Resource]:
        if name == "reviewed":
            value = value == "true"
        if name == "min_score":
            try:
                value = score_floor_parse(str(value))
            except ValueError as error:
                raise ValidationError({"min_score": ["Use instrument:number, e.g. air:30."]}) from error
        return resource_filter(queryset, **{name: value})  # type: ignore[arg-type]
