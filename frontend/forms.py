"""Forms for the expert and editor pages: they parse input; the services validate and decide."""

from django import forms

from curation.enums import SourceKind
from curation.errors import DomainError
from curation.models import InstrumentVersion, Topic


def add_domain_error(form: forms.Form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the form: each field error next to its field (`aliases` maps a
    service's field name to the form's), the rest at the top."""
    for field, problems in error.field_errors.items():
        name = (aliases or {}).get(field, field)
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)
    if not error.field_errors:
        form.add_error(None, error.message)


class ExpertApplicationForm(forms.Form):
    first_name = forms.CharField(max_length=150, help_text="Experts review under their real name.")
    last_name = forms.CharField(max_length=150)
    profession = forms.CharField(max_length=120, help_text="e.g. Emergency physician, paramedic, nurse")
    specialty = forms.CharField(max_length=120)
    registration_body = forms.CharField(max_length=160, required=False, help_text="e.g. GMC, AHPRA, CPSO")
    registration_number = forms.CharField(max_length=64, required=False)
    orcid = forms.CharField(max_length=37, required=False, label="ORCID iD", help_text="0000-0000-0000-0000")
    institution = forms.CharField(max_length=200, required=False)
    conflicts_of_interest = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Sources you write for, own or are paid by. Write 'None' if you have none.",
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class RoundForm(forms.Form):
    title = forms.CharField(max_length=200)
    instrument_version = forms.ModelChoiceField(
        InstrumentVersion.objects.select_related("instrument").order_by("instrument__name", "-version")
    )
    topic = forms.ModelChoiceField(
        Topic.objects.order_by("kind", "name"), required=False, empty_label="Any topic"
    )
    window_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Published from")
    window_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Published until")
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Review deadline")
    reviewers_per_candidate = forms.IntegerField(min_value=1, max_value=10, initial=3)


class AddSourceForm(forms.Form):
    url = forms.URLField(
        assume_scheme="https",
        max_length=2000,
        label="Address",
        help_text="A feed, a site (we find its feed) or a YouTube channel.",
    )
    kind = forms.ChoiceField(
        choices=[("", "Detect"), *list(SourceKind.choices)], required=False, label="Format"
    )
    topics = forms.ModelMultipleChoiceField(
        Topic.objects.filter(kind="specialty").order_by("name"), to_field_name="slug", required=False
    )


class OpmlImportForm(forms.Form):
    opml = forms.FileField(label="OPML file", help_text="Up to 2 MB; every feed in it is registered once.")

    def clean_opml(self) -> bytes:
        upload = self.cleaned_data["opml"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return bytes(upload.read())
