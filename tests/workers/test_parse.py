"""Parsing refuses entity declarations whatever the document's encoding (billion laughs, XXE)."""

import pytest


@pytest.mark.parametrize("codec", ["cp037", "cp500", "utf-16", "utf-32", "utf-8-sig", "iso-8859-1"])
def test_entity_declarations_are_refused_in_any_encoding(codec):
    from workers.harvest.parse import RejectedDocumentError, declares_entities, parse_feed

    declared = codec if codec != "utf-8-sig" else "utf-8"
    document = (
        f'<?xml version="1.0" encoding="{declared}"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'
        "<rss><channel><title>&a;</title></channel></rss>"
    ).encode(codec)
    assert declares_entities(document)
    with pytest.raises(RejectedDocumentError):
        parse_feed(document)


def test_an_ebcdic_feed_without_entities_is_not_refused():
    from workers.harvest.parse import declares_entities

    document = (
        '<?xml version="1.0" encoding="cp037"?><rss><channel><title>Plain</title></channel></rss>'.encode(
            "cp037"
        )
    )
    assert not declares_entities(document)
