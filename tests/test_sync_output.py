"""How sync prints: colour only when asked, a progress counter only on a terminal."""

import io

from wikisync.sync import Output


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


DIFF = "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n same\n"


def test_diff_is_coloured_only_when_asked():
    plain, coloured = io.StringIO(), io.StringIO()
    Output(plain, colour=False).diff(DIFF)
    Output(coloured, colour=True).diff(DIFF)
    assert plain.getvalue() == DIFF
    lines = coloured.getvalue().splitlines()
    assert lines[0] == "--- a" and lines[1] == "+++ b"  # file headers stay plain
    assert lines[2] == "\033[36m@@ -1 +1 @@\033[0m"
    assert lines[3] == "\033[31m-old\033[0m" and lines[4] == "\033[32m+new\033[0m"
    assert lines[5] == " same"


def test_progress_shows_on_a_terminal_and_is_cleared_before_the_next_line():
    stream = Terminal()
    out = Output(stream, verbose=False)
    out.progress(3, 12, "Some/Page")
    out.line("summary")
    assert stream.getvalue() == "\r\033[K[3/12] saving Some/Page\r\033[Ksummary\n"


def test_no_progress_in_a_pipe_or_for_a_single_page():
    piped = io.StringIO()
    Output(piped).progress(3, 12, "Some/Page")
    single = Terminal()
    Output(single).progress(0, 1, "Some/Page")
    assert piped.getvalue() == "" and single.getvalue() == ""


def test_details_only_when_verbose():
    quiet, verbose = io.StringIO(), io.StringIO()
    Output(quiet, verbose=False).detail("created X")
    Output(verbose, verbose=True).detail("created X")
    assert quiet.getvalue() == "" and verbose.getvalue() == "created X\n"
