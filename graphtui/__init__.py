"""graphtui: a terminal debugger for autograd computation graphs.

The back end (``graphtui.session``, ``graphtui.model``) never imports Textual; the TUI lives
in ``graphtui.app`` and is imported only when a terminal UI is wanted.
"""
__version__ = "0.1.0"
