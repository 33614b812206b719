import pytest

from curation.confidentiality import screen_text

HELD = [
    ("DOB: 12/03/1961, presented with chest pain", "a date of birth"),
    ("born on 4 March 1990 and seen in resus", "a date of birth"),
    ("MRN: 00482913 had a potassium of 7.1", "a medical record or hospital number"),
    ("Hospital number A1234567 was discharged", "a medical record or hospital number"),
    ("NHS number 943 476 5919 on the wristband", "a health-service number"),
    ("Medicare no. 2123 45670 1", "a health-service number"),
    ("call the family on 07700 900123 tonight", "a phone number"),
    ("email the patient at jane.doe@example.com", "an e-mail address"),
    ("A 54-year-old man was admitted on 3 March 2024 with DKA", "a patient narrative with an age and a date"),
    ("On 12/01/2023 a 7-year-old girl presented with stridor", "a patient narrative with an age and a date"),
]

PASSES = [
    "A 54-year-old man with chest pain: which risk score should you use?",
    "Give 10 units of insulin with 50 ml of 50 % glucose; recheck potassium at 1, 2 and 4 hours.",
    "The ARISE, ProCESS and ProMISe trials (2014-2015) did not support EGDT.",
    "Children under 3 months with a temperature above 38 °C need a full septic screen.",
    "NNT 12, 95 % CI 8 to 20; the HEART score was 3.",
    "Updated on 3 March 2024 to reflect the 2023 guideline.",
    "Ketamine 1-2 mg/kg IV, or 4-5 mg/kg IM in the agitated patient.",
    "GCS 8, intubate? Not always: see the 2021 review.",
]


@pytest.mark.parametrize(("text", "reason"), HELD)
def test_patient_identifiers_are_held_with_the_reason(text, reason):
    result = screen_text(text)
    assert result.held and reason in result.reasons
    assert reason in result.message and "editor" in result.message


@pytest.mark.parametrize("text", PASSES)
def test_ordinary_clinical_teaching_text_passes(text):
    result = screen_text(text)
    assert not result.held, result.reasons


def test_screen_meets_its_targets_on_the_labelled_set(capsys):
    """Item 9's measurement: recall >= 0.9 on identifying text, false holds <= 5 % on teaching text, on
    a labelled set of at least 80 samples written for these tests. The figures are printed (and
    recorded in the README)."""
    from tests.curation.confidentiality_samples import IDENTIFYING, TEACHING

    assert len(IDENTIFYING) + len(TEACHING) >= 80 and min(len(IDENTIFYING), len(TEACHING)) >= 40
    missed = [text for text in IDENTIFYING if not screen_text(text).held]
    false_holds = [(text, screen_text(text).reasons) for text in TEACHING if screen_text(text).held]
    recall = 1 - len(missed) / len(IDENTIFYING)
    false_hold_rate = len(false_holds) / len(TEACHING)
    with capsys.disabled():
        print(
            f"\nconfidentiality screen: recall {recall:.3f} on {len(IDENTIFYING)} identifying samples, "
            f"false holds {false_hold_rate:.3f} on {len(TEACHING)} teaching samples"
        )
    assert recall >= 0.9, missed
    assert false_hold_rate <= 0.05, false_holds


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Mrs Jones, 82, fell at home", "a person's name in a clinical context"),
        ("born 1990, no past history", "a year of birth"),
        ("lives at 12 Acacia Avenue", "a street address"),
        ("postcode SW1A 1AA", "a postcode"),
        ("SSN 123-45-6789", "a national or insurance number"),
        ("her son posted it as @sam_k_1999", "a social-media handle"),
        (
            "a 34-year-old teacher from Leeds, seen last Tuesday",
            "a patient narrative with an age, a place and a date",
        ),
    ],
)
def test_each_new_kind_of_identifier_is_named_in_the_reason(text, reason):
    assert reason in screen_text(text).reasons


@pytest.mark.parametrize(
    "text",
    [
        "The Brugada pattern and the Wells score",
        "Scott Weingart explains it",
        "follow @EMCrit for more",
        "Bell's palsy",
    ],
)
def test_eponyms_authors_and_author_handles_pass(text):
    assert not screen_text(text).held
