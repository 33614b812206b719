import pytest

from workers.harvest.hostslots import host_slot


def test_at_most_two_fetches_in_flight_per_host_and_slots_are_released(settings):
    settings.HARVEST_PER_HOST_IN_FLIGHT = 2
    with (
        host_slot("https://emcrit.org/feed/") as first,
        host_slot("https://EMCRIT.org/podcast/") as second,
        host_slot("https://emcrit.org/other/") as third,
        host_slot("https://litfl.com/feed/") as elsewhere,
    ):
        assert (first, second, third, elsewhere) == (True, True, False, True)
    with host_slot("https://emcrit.org/feed/") as again:
        assert again is True


def test_slot_is_released_when_the_fetch_raises(settings):
    settings.HARVEST_PER_HOST_IN_FLIGHT = 1
    with pytest.raises(RuntimeError), host_slot("https://rebelem.com/feed/"):
        raise RuntimeError("boom")
    with host_slot("https://rebelem.com/feed/") as acquired:
        assert acquired is True
