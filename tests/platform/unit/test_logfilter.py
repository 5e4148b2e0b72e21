import logging

from shared.platform.logfilter import RepeatFilter


def record(name="aiokafka", msg="Unable connect to node with id %s: %s", level=logging.ERROR, args=(1, "refused")):
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_same_warning_is_logged_once_per_window_then_with_the_count_left_out():
    clock = Clock()
    f = RepeatFilter(window=10, clock=clock)
    assert f.filter(record())
    clock.now += 1
    assert not f.filter(record(args=(1, "reset")))  # same template, other arguments: the same kind
    clock.now += 8.999  # 9.999 s after the first: still inside the window
    assert not f.filter(record())
    clock.now += 0.001  # exactly the window: logged again, saying what was left out
    r = record()
    assert f.filter(r)
    assert r.getMessage() == "Unable connect to node with id 1: refused (2 more like this in the last 10s not logged)"
    clock.now += 10
    r = record()
    assert f.filter(r) and "more like this" not in r.getMessage()  # nothing was left out since


def test_other_kinds_info_and_other_loggers_pass():
    f = RepeatFilter(window=10, clock=Clock())
    assert f.filter(record())
    assert f.filter(record(msg="Unable to update metadata from %s", args=([1],)))  # another template
    assert f.filter(record(level=logging.WARNING))  # another level
    assert f.filter(record(name="aiokafka.consumer.fetcher"))  # another logger
    for _ in range(3):
        assert f.filter(record(level=logging.INFO))  # below WARNING: never filtered
        assert f.filter(record(name="declaratie.service_layer"))  # our own logs: never filtered
