"""graphtui: a terminal debugger for autograd computation graphs.

The back end (``graphtui.session``, ``graphtui.model``) never imports Textual; the TUI lives
in ``graphtui.app`` and is imported only when a terminal UI is wanted. ``graphtui.record``
records a block of a program of one's own (see ``graphtui.embed``).
"""
__version__ = "0.1.0"

# What a recording's file name ends in: JSON lines (readable), or compact (the wire's
# batches, see graphtui.compact_recording): fast to write, for training runs.
RECORDING_SUFFIXES = (".jsonl", ".gtr")


def is_recording_name(path) -> bool:
    return str(path).endswith(RECORDING_SUFFIXES)


def record(path, **options):
    """``with graphtui.record("run.gtr"): ...``: record the engine's events of the block
    and write them as a recording ``graphtui open`` shows (``.gtr``: compact; ``.jsonl``:
    JSON lines; see ``graphtui.embed``)."""
    from graphtui.embed import record as record_block

    return record_block(path, **options)
