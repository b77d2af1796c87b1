"""The worker's collector settings: start-up objects frozen, cycles still collected."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# In a child process: freezing is for the whole process and cannot be undone
# for objects that were frozen (gc.unfreeze moves them all into the oldest generation).
CHILD = textwrap.dedent(
    """
    import gc, weakref
    from stream.app.heap import YOUNG_THRESHOLD, freeze_startup_heap

    class Node:
        pass

    startup = Node()
    startup.self = startup  # a cycle alive at start-up: frozen, never walked again
    frozen = freeze_startup_heap()
    assert frozen > 1000, frozen
    assert not any(o is startup for o in gc.get_objects()), "start-up object not frozen"
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD

    later = Node()
    later.self = later  # a cycle made after start-up: garbage once dropped
    gone = weakref.ref(later)
    del later
    gc.collect()
    assert gone() is None, "a cycle made after start-up was not collected"
    print("ok", frozen)
    """
)


def test_start_up_objects_are_frozen_and_later_cycles_still_collected() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")
