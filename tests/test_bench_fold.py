"""The fold benchmark's turn-taking (`tidings bench fold`): the two systems' processes work in turns."""

from __future__ import annotations

import io

import pytest

from tidings.bench.fold import _Turns


def test_a_turn_lasts_until_its_process_has_worked_the_least_time() -> None:
    """A process says it is ready and waits for its first turn; it keeps its turn through the chunks of
    its work until it has worked the least time, then says it is done and waits for the next."""
    now = [0.0]
    reply, ask = io.StringIO(), io.StringIO("go\ngo\n")
    turn = _Turns(reply, ask, clock=lambda: now[0], least=0.5)
    turn()  # before its first chunk
    assert reply.getvalue() == "ready\n"
    for moment in (0.1, 0.3, 0.49):
        now[0] = moment
        assert turn() == 0.0  # no wait
    assert reply.getvalue() == "ready\n"  # it kept its turn
    now[0] = 0.5
    assert turn() >= 0.0  # the wall-clock time it waited for its next turn
    assert reply.getvalue() == "ready\ndone\n"
    now[0] = 0.9  # its second turn began at 0.5
    turn()
    assert reply.getvalue() == "ready\ndone\n"
    assert ask.read() == ""  # it took both turns it was given


def test_a_process_whose_parent_is_gone_stops() -> None:
    turn = _Turns(io.StringIO(), io.StringIO(""), clock=lambda: 0.0)
    with pytest.raises(SystemExit):
        turn()
