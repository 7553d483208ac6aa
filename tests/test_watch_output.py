"""The lines ``wikisync watch`` prints carry the time they were printed."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone

from wikisync.sync import Output
from wikisync.watch import _Stamped, timestamp


def test_timestamp_is_iso_8601_in_utc():
    moment = datetime(2026, 12, 2, 4, 14, 7, 900000, tzinfo=timezone(timedelta(hours=1)))
    assert timestamp(moment) == "2026-12-02T03:14:07Z"


def test_every_line_and_every_diff_line_begins_with_the_time():
    stream = io.StringIO()
    out = _Stamped(stream, colour=False, verbose=True)
    before = datetime.now(UTC).replace(microsecond=0)
    out.line("watch: edited: Report")
    out.diff("--- a\n+++ b\n+new line")
    out.detail("a detail")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 5
    for line in lines:
        found = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) ", line)
        assert found, line
        assert datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) >= before
    assert lines[0].endswith(" watch: edited: Report") and lines[3].endswith(" +new line")
    quiet = _Stamped(io.StringIO(), verbose=False)
    quiet.detail("hidden")
    assert quiet.stream.getvalue() == ""
    assert isinstance(out, Output)
