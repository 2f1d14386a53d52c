"""The runner: the process the scenario runs in, under the recorder.

The debugger (``graphtui.channel``) starts ``python -m graphtui.runner`` and talks to it over
one channel (``graphtui.wire``): events go up in batches, commands come down. Whatever the
scenario does to its process (``os.abort()``, a segfault, ``os._exit``, closing its file
descriptors, being killed) ends the runner, never the debugger. The runner imports neither
Textual nor Rich.
"""
