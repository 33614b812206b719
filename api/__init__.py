"""The REST API (DRF only): parse input, call a selector or service, serialise output."""
