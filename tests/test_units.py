import pytest

from launchwatch.plan.units import format_duration, parse_duration, parse_size


@pytest.mark.parametrize(("text", "seconds"), [
    ("30s", 30), ("5m", 300), ("1h30m", 5400), ("250ms", 0.25), ("1d", 86400), (15, 15), ("1.5s", 1.5),
])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "5q", "m5", "1h 30m", "-1s", True, -3])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("seconds", [0, 0.25, 1, 59, 60, 90, 3600, 5400, 86400 + 61])
def test_format_duration_round_trips(seconds):
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize(("text", "size"), [("4MiB", 4 * 1024**2), ("512KiB", 512 * 1024), ("1MB", 10**6),
                                            (1000, 1000), ("1000", 1000)])
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "4 parsecs", "0", -1, "MiB"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError):
        parse_size(text)
