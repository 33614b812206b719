"""Query-string filters of the resource listing."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from rest_framework.exceptions import ValidationError

from curation.enums import SourceKind
from curation.models import Designation, InstrumentVersion, Resource, Source


class ResourceFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(
        method="filter_topic", help_text="topic slug (the resource's or its source's)"
    )
    kind = django_filters.ChoiceFilter(field_name="source__kind", choices=SourceKind.choices)
    source = django_filters.UUIDFilter(field_name="source__public_id")
    designation = django_filters.CharFilter(
        method="filter_designation", help_text="current designation label, e.g. Approved"
    )
    min_score = django_filters.CharFilter(
        method="filter_min_score",
        help_text="instrument:minimum mean, e.g. air:30 (current version of the instrument)",
    )
    reviewed = django_filters.BooleanFilter(method="filter_reviewed")
    published_after = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lte")
    language = django_filters.CharFilter(method="filter_language", help_text="language code, e.g. en")

    class Meta:
        model = Resource
        fields: list[str] = []

    def filter_topic(self, queryset: QuerySet[Resource], name: str, value: str) -> QuerySet[Resource]:
        on_resource = Resource.topics.through.objects.filter(resource_id=OuterRef("pk"), topic__slug=value)
        on_source = Source.topics.through.objects.filter(source_id=OuterRef("source_id"), topic__slug=value)
        return queryset.filter(Q(Exists(on_resource)) | Q(Exists(on_source)))

    def filter_designation(self, queryset: QuerySet[Resource], name: str, value: str) -> QuerySet[Resource]:
        current = Designation.objects.filter(resource_id=OuterRef("pk"), is_current=True, label__iexact=value)
        return queryset.filter(Exists(current))

    def filter_min_score(self, queryset: QuerySet[Resource], name: str, value: str) -> QuerySet[Resource]:
        slug, _, minimum = value.partition(":")
        try:
            threshold = float(minimum)
        except ValueError as error:
            raise ValidationError({"min_score": ["Use instrument:number, e.g. air:30."]}) from error
        version = InstrumentVersion.objects.filter(instrument__slug=slug).order_by("-version").first()
        if version is None:
            return queryset.none()
        return queryset.filter(**{f"metrics__instruments__{slug}/v{version.version}__mean__gte": threshold})

    def filter_reviewed(self, queryset: QuerySet[Resource], name: str, value: bool) -> QuerySet[Resource]:
        reviewed = Q(metrics__review_count__gt=0)
        return queryset.filter(reviewed) if value else queryset.exclude(reviewed)

    def filter_language(self, queryset: QuerySet[Resource], name: str, value: str) -> QuerySet[Resource]:
        return queryset.filter(
            Q(language__istartswith=value) | Q(language="", source__language__istartswith=value)
        )
