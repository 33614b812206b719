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
