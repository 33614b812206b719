import math

import pytest

from curation.impact import SmiInputs, link_edges, link_index, social_media_index


def test_smi_follows_the_published_formula_term_by_term():
    cohort = [
        SmiInputs("best", alexa_rank=10_000, twitter_followers=50_000, facebook_likes=20_000),
        SmiInputs("middle", alexa_rank=100_000, twitter_followers=5_000, facebook_likes=1),
        SmiInputs("unranked", alexa_rank=None, twitter_followers=0, facebook_likes=None),
        SmiInputs("worst", alexa_rank=1_000_000, twitter_followers=None, facebook_likes=2_000),
    ]
    smi = social_media_index(cohort)
    inv = lambda a: 1 / math.log(a)  # noqa: E731
    middle = 5 * (inv(1e5) - inv(1e6)) / (inv(1e4) - inv(1e6)) + 2.5 * math.log(5000) / math.log(50000)
    assert smi["best"] == pytest.approx(10.0)
    assert smi["middle"] == pytest.approx(middle)  # facebook count of 1 contributes 0
    assert smi["unranked"] == pytest.approx(0.0)  # unranked counts as the worst rank
    assert smi["worst"] == pytest.approx(2.5 * math.log(2000) / math.log(20000))
    assert all(0 <= value <= 10 for value in smi.values())


def test_link_index_ranks_the_most_linked_source_highest():
    hosts = {1: "emcrit.org", 2: "litfl.com", 3: "rebelem.com"}
    resources = [
        (2, '<a href="https://emcrit.org/a">x</a> <a href="https://www.emcrit.org/b">y</a>'),
        (3, '<a href="https://emcrit.org/c">x</a><a href="https://litfl.com/d">y</a>'),
        (1, '<a href="https://emcrit.org/self">self links do not count</a>'),
    ]
    edges = link_edges(resources, hosts)
    assert edges == {(2, 1): 1, (3, 1): 1, (3, 2): 1}
    scores = link_index(hosts, edges)
    assert scores[1] == pytest.approx(10.0) and scores[1] > scores[2] > scores[3]
