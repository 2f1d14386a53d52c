"""The ``graphtui`` command: ``run`` (the TUI, or a headless screenshot), ``open`` (a
recording in the TUI, read-only), ``dump`` (text, JSON lines or Graphviz DOT), ``record``
(a program run under the recorder, written as a recording) and ``list`` (the bundled
scenarios).

Exit status: 0 success, 1 the scenario failed (any command that ran or opened it), 2 bad
usage or an unusable file, 70 an internal error of graphtui (its traceback goes to a log
file), 130 interrupted.
Textual is imported only when a UI is asked for.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Sequence

from graphtui import __version__, is_recording_name
from graphtui.scenario import ScenarioError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 70, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graphtui",
        description="A terminal debugger for autograd computation graphs: run a PyTorch-style "
                    "scenario on graphtui's engine and watch its graph, grads, saved buffers "
                    "and hooks, stepping the backward pass node by node.")
    parser.add_argument("--version", action="version", version=f"graphtui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run", help="run a scenario in the debugger",
        description="Run SCENARIO in a process of its own (the runner) and open the "
                    "debugger. Arguments after '--' become the scenario's sys.argv[1:]. A "
                    "recording (.gtr or .jsonl, see --record) opens as a finished run.")
    _add_scenario_arguments(run)
    _add_headless_arguments(run)

    opened = commands.add_parser(
        "open", help="reopen a recording (.gtr or .jsonl) in the debugger (read-only)",
        description="Open a recording written by 'dump --json' or '--record' as a finished, "
                    "read-only session: every moment can be inspected and travelled to; "
                    "nothing in the file is executed.")
    opened.add_argument("scenario", metavar="RECORDING",
                        help="the recording to open (.gtr or .jsonl)")
    _add_headless_arguments(opened)

    dump = commands.add_parser(
        "dump", help="run a scenario without the TUI and print its events and graph",
        description="Run SCENARIO straight through (no breaks) and print the recorded events "
                    "and the final graph as text. Exits 1 when the scenario fails. A recording "
                    "(.gtr or .jsonl) is printed the same way.")
    _add_scenario_arguments(dump, with_break=False)
    formats = dump.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true",
                         help="write the event log as JSON lines (a header line, then one "
                              "event per line; 'graphtui open' reopens it)")
    formats.add_argument("--dot", action="store_true",
                         help="write the final graph as Graphviz DOT")
    dump.add_argument("-o", "--output", metavar="FILE",
                      help="write to FILE instead of standard output")
    dump.add_argument("--explain", action="store_true",
                      help="add the findings: which in-place op broke backward, the first "
                           "NaN/Inf, why a .grad is None, backward twice, what hooks did "
                           "(text: a '== why' section; --json: under \"findings\" in the "
                           "header line)")
    dump.add_argument("--why", metavar="NAME", action="append", default=[],
                      help="with --explain (implied): also say why the .grad of the tensor "
                           "named NAME (a scenario variable) is None; repeatable")
    dump.add_argument("--plot", metavar="OUT.svg",
                      help="also draw the gradient-flow chart (mean and max |grad| per layer, "
                           "last iteration) and the loss curve over iterations, as SVG")

    record = commands.add_parser(
        "record", help="run a program under the recorder and save its events",
        description="Run a Python program (its 'import torch' gets graphtui's engine, or "
                    "real PyTorch with --backend torch) straight "
                    "through under the recorder, its output going to this terminal as "
                    "usual, and write what it did as a recording for 'graphtui open'. "
                    "Exits 1 when the program fails.",
        epilog="Example: graphtui record -o run.gtr -- python train.py --epochs 3")
    record.add_argument("-o", "--output", metavar="OUT", required=True,
                        help=RECORDING_HELP)
    _add_backend_argument(record)

    commands.add_parser("list", help="list the bundled scenarios and their lessons",
                        description="The scenarios shipped in scenarios/, one line each: "
                                    "the file name and the lesson it teaches.")
    return parser


RECORDING_HELP = ("OUT.gtr (compact: the run's events as the runner sent them, quick to write, "
                  "for training runs) or OUT.jsonl (JSON lines, one event per line: readable, "
                  "about five times slower to write)")


def _bad_recording_name(options) -> str | None:
    """The one line to print for a recording to write whose name says no format."""
    for flag, path in (("-o", getattr(options, "output", None) if options.command == "record"
                        else None), ("--record", getattr(options, "record", None))):
        if path and not is_recording_name(path):
            return f"{flag} {path}: a recording's name ends in .gtr (compact) or .jsonl " \
                   f"(JSON lines)"
    return None


def _add_headless_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--headless", action="store_true",
                        help="no terminal: wait until paused or finished, press KEYS, write "
                             "the screenshot and exit")
    parser.add_argument("--press", metavar="KEYS", default="",
                        help="comma-separated keys to press in headless mode, e.g. n,n,c")
    parser.add_argument("--screenshot", metavar="OUT.svg",
                        help="where headless mode writes its SVG screenshot")
    parser.add_argument("--size", metavar="WxH", default="120x36", type=_parse_size,
                        help="headless terminal size (default 120x36)")


def _add_scenario_arguments(parser: argparse.ArgumentParser, with_break: bool = True) -> None:
    parser.add_argument("scenario", metavar="SCENARIO",
                        help="the Python file to run, a bundled scenario by name (see 'graphtui "
                             "list'), or a recording to open (.gtr or .jsonl)")
    parser.add_argument("--record", metavar="OUT",
                        help="save the run's events to a recording when it ends: "
                             + RECORDING_HELP)
    _add_backend_argument(parser)
    if with_break:
        parser.add_argument("--break", dest="break_on", choices=("backward", "never"),
                            default="backward",
                            help="pause before the first node of every backward pass "
                                 "(backward, the default) or never")
    parser.add_argument(
        "--break-on", dest="breakpoints", metavar="SPEC", action="append", default=[],
        help="a breakpoint (repeatable): nan, node:NAME, module:NAME (path or class), "
             "hook[:NAME], backward[:N]; "
             + ("the run pauses there" if with_break else
                "dump runs on through them and lists where they hit"))
    parser.epilog = "Use '--' before arguments meant for the scenario: ... SCENARIO -- ARGS"


MIN_SIZE = (20, 10)          # below this not even the status bar fits
MODIFIERS = ("ctrl+", "shift+", "alt+", "meta+", "super+", "hyper+")


def _add_backend_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("engine", "torch"), default="engine",
                        help="run on graphtui's engine (the default) or on real PyTorch, "
                             "watched through its public hooks (needs graphtui[torch])")


def _parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)x(\d+)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT like 120x36, got {text!r}")
    width, height = int(match[1]), int(match[2])
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        raise argparse.ArgumentTypeError(
            f"{text!r} is too small: the smallest size is {MIN_SIZE[0]}x{MIN_SIZE[1]} "
            "(80x24 shows every key and field)")
    return width, height


def parse_keys(text: str) -> list[str]:
    """The comma-separated keys of ``--press``; ValueError naming the first unknown one."""
    from textual.keys import Keys, key_to_character

    names = {key.value for key in Keys}
    keys = [key.strip() for key in text.split(",") if key.strip()]
    for key in keys:
        base = key
        while base.startswith(MODIFIERS) and base not in names:
            base = base.split("+", 1)[1]
        if not (len(base) == 1 or base in names or key_to_character(base) is not None):
            raise ValueError(f"--press: unknown key {key!r} (keys are letters such as n, "
                             "names such as enter, escape, pagedown, question_mark, or "
                             "ctrl+q)")
    return keys


def split_scenario_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """graphtui's own arguments, and the scenario's (everything after the first '--')."""
    argv = list(argv)
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1:]
    return argv, []


def main(argv: Sequence[str] | None = None) -> int:
    """The command. Called without ``argv`` (the console script, ``python -m graphtui``),
    it ends the process itself once done (``_leave_now``); with ``argv`` it returns."""
    status = _command(sys.argv[1:] if argv is None else argv)
    if argv is None:
        _leave_now(status)
    return status


def _command(argv: Sequence[str]) -> int:
    own, scenario_args = split_scenario_args(argv)
    parser = build_parser()
    if not own and not scenario_args:
        parser.print_help(sys.stderr)          # bare `graphtui`: show what it can do
        return EXIT_USAGE
    options = parser.parse_args(own)
    if options.command in ("run", "open"):
        _check_headless_options(parser, options)
    if options.command in ("run", "dump"):
        options.scenario = resolve_scenario(options.scenario)
    bad_breakpoint = _check_breakpoints(options)
    bad = bad_breakpoint or _bad_recording_name(options)
    if bad:
        print(f"graphtui: {bad}", file=sys.stderr)
        return EXIT_USAGE
    if options.command == "dump" and options.plot and not options.plot.lower().endswith(".svg"):
        print(f"graphtui: --plot writes SVG only: give a file name ending in .svg "
              f"(got {options.plot!r})", file=sys.stderr)
        return EXIT_USAGE
    if options.command in ("run", "dump") and not is_recording_name(options.scenario):
        from graphtui import spawn

        spawn.prespawn()     # the runner imports the engine while we import the rest
    from graphtui.recording import RecordingError

    try:
        if options.command == "list":
            return _list()
        if options.command == "dump":
            return _dump(options, scenario_args)
        if options.command == "record":
            return _record(options, scenario_args)
        status = _open(options) if options.command == "open" else _run(options, scenario_args)
        if not options.headless:
            _leave_now(status)
        return status
    except (ScenarioError, RecordingError) as error:
        print(f"graphtui: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:           # a bug in graphtui: say where the details are
        return report_crash(error)


def _check_headless_options(parser: argparse.ArgumentParser, options) -> None:
    """A screenshot means headless; a TUI needs a terminal; keys must be keys."""
    if options.screenshot:
        options.headless = True
        if not options.screenshot.lower().endswith(".svg"):
            parser.error(f"--screenshot writes SVG: give a name ending in .svg, not "
                         f"{options.screenshot!r}")
    if options.headless and not options.screenshot:
        parser.error("--headless needs --screenshot OUT.svg")
    if options.press and not options.headless:
        parser.error("--press is for headless mode (--screenshot OUT.svg)")
    try:
        options.keys = parse_keys(options.press)
    except ValueError as error:
        parser.error(str(error))


def resolve_scenario(given: str) -> str:
    """``given`` itself when it names a file; else the bundled scenario of that name
    (``seed_03_backward_twice`` or ``seed_03_backward_twice.py``), as ``graphtui list``
    shows them."""
    if os.path.exists(given) or os.sep in given:
        return given
    from graphtui.scenarios_index import bundled_path

    bundled = bundled_path(given[:-3] if given.endswith(".py") else given)
    return str(bundled) if bundled is not None else given


def _check_breakpoints(options) -> str | None:
    """The one line to print for a bad --break-on, or None."""
    specs = getattr(options, "breakpoints", None)
    if not specs:
        return None
    from graphtui.breakpoints import BreakpointError, parse_all

    if is_recording_name(options.scenario):
        return "--break-on needs a scenario to run; a recording is replayed as it is"
    try:
        parse_all(specs)
    except BreakpointError as error:
        return f"--break-on: {error}"
    return None


def _leave_now(status: int) -> None:
    """End the process once the command is done, without freeing a big recorded heap object
    by object at interpreter exit (seconds after a flood of events); the terminal is
    restored, the outputs and recording written and closed, the streams flushed first."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def report_crash(error: BaseException) -> int:
    """Write graphtui's own traceback to a log file and print one line naming it."""
    details = "".join(traceback.format_exception(error))
    fd, path = tempfile.mkstemp(prefix="graphtui-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as log:
        log.write(details)
    print(f"graphtui: internal error ({type(error).__name__}: {error}); "
          f"the details are in {path}", file=sys.stderr)
    return EXIT_INTERNAL


def _open_session(options, scenario_args: list[str], break_on_backward: bool,
                  hold_breakpoints: bool = True, reread: bool = False):
    from graphtui.recording import is_recording

    if is_recording(options.scenario):
        from graphtui.replay import ReplaySession

        return ReplaySession.from_file(options.scenario)
    from graphtui.session import Session

    return Session(options.scenario, scenario_args, break_on_backward=break_on_backward,
                   backend=options.backend, breakpoints=options.breakpoints,
                   hold_breakpoints=hold_breakpoints, reread=reread)


def _save_recording(options, session) -> None:
    if getattr(options, "record", None):
        from graphtui.recording import save

        save(session.log, options.record, str(session.path), session.backend)


def _run(options, scenario_args: list[str]) -> int:
    session = _open_session(options, scenario_args, options.break_on == "backward")
    return _show(options, session)


def _open(options) -> int:
    from graphtui.recording import is_recording

    if not is_recording(options.scenario):
        raise ScenarioError(f"{options.scenario}: not a graphtui recording (.gtr or .jsonl); "
                            "use 'graphtui run' for a scenario")
    from graphtui.replay import ReplaySession

    return _show(options, ReplaySession.from_file(options.scenario))


def _show(options, session) -> int:
    """The TUI on a session (or a headless screenshot of it)."""
    try:
        if options.headless:
            from graphtui.headless import screenshot

            screenshot(session, options.keys, options.screenshot, size=options.size)
        elif not (sys.stdin.isatty() and sys.stdout.isatty()):
            print("graphtui: the debugger needs a terminal (standard input or output is "
                  "not one); use --screenshot OUT.svg for a headless screenshot, or "
                  "'graphtui dump' for text", file=sys.stderr)
            return EXIT_USAGE
        else:
            from graphtui.app import GraphtuiApp

            app = GraphtuiApp(session)
            app.run()
            crash = getattr(app, "_exception", None)
            if crash is not None:          # Textual restored the terminal already
                return report_crash(crash)
    finally:
        session.stop()
    _save_recording(options, session)
    return EXIT_FAILED if _run_failed(session) else EXIT_OK


def _run_failed(session) -> bool:
    """Whether the run on screen ended in failure (one quit while paused did not fail)."""
    from graphtui.model.state import RUN_FAILED

    return session.state().run_state == RUN_FAILED


def _dump(options, scenario_args: list[str]) -> int:
    from graphtui.dump import Colours, dump_dot, dump_json, dump_plot, dump_session

    session = _open_session(options, scenario_args, break_on_backward=False,
                            hold_breakpoints=False, reread=True)
    explain = (options.why or True) if options.explain or options.why else None
    out = open(options.output, "w", encoding="utf-8") if options.output else sys.stdout
    try:
        if options.json:
            ok = dump_json(session, out, explain)
        elif options.dot:
            ok = dump_dot(session, out)
        else:
            ok = dump_session(session, Colours(out) if out.isatty() else out, explain)
        if options.plot:
            dump_plot(session, options.plot)
    finally:
        session.stop()
        if out is not sys.stdout:
            out.close()
    _save_recording(options, session)
    if not ok and session.state().error is not None and (options.json or options.dot):
        sys.stderr.write(session.state().error.traceback)   # the scenario's, not graphtui's
    return EXIT_OK if ok else EXIT_FAILED


def split_program(command: Sequence[str]) -> tuple[str | None, str, list[str]]:
    """``python SCRIPT ARGS`` or ``SCRIPT ARGS``: the interpreter (None: this one), the
    script and its arguments; ScenarioError for anything else."""
    command = list(command)
    if not command:
        raise ScenarioError("record needs a program: graphtui record -o OUT.gtr -- "
                            "python SCRIPT.py [ARGS]")
    interpreter = None
    if os.path.basename(command[0]).startswith("python"):
        import shutil

        interpreter = shutil.which(command[0]) or command[0]
        command = command[1:]
        if not command or command[0].startswith("-"):
            raise ScenarioError("record runs 'python SCRIPT.py [ARGS]' (no interpreter "
                                "options, no -c or -m)")
    return interpreter, command[0], command[1:]


def _record(options, command: list[str]) -> int:
    from graphtui.recording import save
    from graphtui.session import Session

    interpreter, script, args = split_program(command)
    session = Session(script, args, break_on_backward=False, python=interpreter,
                      echo_output=True, backend=options.backend)
    interrupted = False
    session.start()
    try:
        session.wait_until_finished()
    except KeyboardInterrupt:
        interrupted = True
        session.stop()
        session.wait_until_finished(2.0)
    state = session.state()
    count = save(session.log, options.output, str(session.path), session.backend)
    if state.error is not None:
        sys.stderr.write(state.error.traceback)
    print(f"graphtui: {count} events of a run that {state.run_state} written to "
          f"{options.output}", file=sys.stderr)
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if state.run_state == "finished" else EXIT_FAILED


def _list() -> int:
    import shutil

    from graphtui.scenarios_index import format_list, list_scenarios

    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    print(format_list(list_scenarios(), width=width), end="")
    return EXIT_OK
