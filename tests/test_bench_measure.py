"""The benchmark's memory figure: a process tree's resident memory, sampled from /proc."""

from __future__ import annotations

import sys

from bench import measure

PAGE = measure.PAGE


def test_a_child_sharing_its_parents_memory_counts_once() -> None:
    parent = (300_000, 250_000, 10_000, 500, 0, 240_000, 0)
    between_vfork_and_exec = parent  # the same address space, read through the child
    worker = (120_000, 90_000, 9_000, 500, 0, 80_000, 0)
    statm = {10: parent, 11: between_vfork_and_exec, 12: worker, 13: worker}
    parents = {11: 10, 12: 10, 13: 12}  # 13: a worker's own child that happens to match it
    assert measure.tree_resident(statm, parents) == (250_000 + 90_000) * PAGE
    assert measure.tree_resident({10: parent, 12: worker}, {12: 10}) == (250_000 + 90_000) * PAGE
    assert measure.tree_resident({10: parent, 11: ()}, {11: 10}) == 250_000 * PAGE  # gone meanwhile


def test_the_sampler_counts_a_forked_child_with_its_own_pages() -> None:
    script = (
        "import os, sys, time\n"
        "data = bytearray(64 * 1024 * 1024)\n"  # 64 MB, written: resident in each process
        "for i in range(0, len(data), 4096): data[i] = 1\n"
        "if os.fork() == 0:\n"
        "    for i in range(0, len(data), 4096): data[i] = 2\n"  # the child's own copy
        "    time.sleep(1.0); os._exit(0)\n"
        "time.sleep(1.0); os.wait()\n"
        "print('{}')\n"
    )
    run = measure.run_build([sys.executable, "-c", script], sample_memory=True)
    assert run.tree_max_processes == 2
    assert run.tree_peak_bytes >= 2 * 64 * 1024 * 1024  # both copies, counted each
