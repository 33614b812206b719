import json

import pytest
from django.core.management import CommandError, call_command

from tests.research.test_statistics import SHROUT_FLEISS


def run(capsys, *args):
    call_command(*args)
    return json.loads(capsys.readouterr().out)


def test_reliability_command_on_a_long_format_file(tmp_path, capsys):
    path = tmp_path / "ratings.csv"
    lines = ["resource,reviewer,total"] + [
        f"r{t},judge{j},{v}" for t, row in enumerate(SHROUT_FLEISS) for j, v in enumerate(row)
    ]
    path.write_text("\n".join(lines))
    result = run(
        capsys,
        "reliability",
        "--csv",
        str(path),
        "--target",
        "resource",
        "--rater",
        "reviewer",
        "--score",
        "total",
    )
    assert (result["n_targets"], result["n_raters"]) == (6, 4)
    assert set(result["icc"]) == {"ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"}
    assert (
        result["icc"]["ICC3"]["value"] == pytest.approx(0.715, abs=1e-3)
        and len(result["icc"]["ICC3"]["ci95"]) == 2
    )
    assert isinstance(result["krippendorff_alpha"], float) and result["raters_needed_for_0_8"] == 10


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("target,rater\nA,x\n", "missing column"),
        ("target,rater,score\nA,x,high\n", "not a number"),
        ("target,rater,score\nA,x,3\nB,x,4\n", "two ratings"),
        ("target,rater,score\n,x,3\n", "empty target"),
    ],
)
def test_reliability_command_explains_malformed_files(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("reliability", "--csv", str(path))


def test_reliability_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("reliability", "--csv", str(tmp_path / "absent.csv"))


def test_smi_command_rounds_to_two_decimals_and_treats_bad_cells_as_unavailable(tmp_path, capsys):
    path = tmp_path / "cohort.csv"
    path.write_text("website,alexa,twitter,facebook\nA,10000,50000,20000\nB,n/a,5000,\nC,1000000,,2000\n")
    result = run(capsys, "smi", "--csv", str(path))
    smi = {site["website"]: site["smi"] for site in result["sites"]}
    assert smi["A"] == 10.0 and smi["B"] == round(2.5 * 8.517193 / 10.819778, 2) and 0 < smi["C"] < 5
