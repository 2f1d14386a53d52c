"""The graphtui command, through a real subprocess."""
from __future__ import annotations

import subprocess
import sys

import pytest

from graphtui import __version__, cli


def graphtui(*args, cwd=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "graphtui", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=120, stdin=stdin)


def test_version():
    result = graphtui("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"graphtui {__version__}"


def test_version_matches_the_package_metadata():
    from importlib.metadata import version
    assert version("graphtui") == __version__


def test_help_lists_the_commands():
    result = graphtui("--help")
    assert result.returncode == 0
    assert "run" in result.stdout and "dump" in result.stdout


def test_run_help_lists_its_options():
    result = graphtui("run", "--help")
    assert result.returncode == 0
    for option in ("--break {backward,never}", "--headless", "--press", "--screenshot",
                   "--size"):
        assert option in result.stdout


def test_run_without_a_scenario_is_a_usage_error():
    result = graphtui("run")
    assert result.returncode == 2 and "SCENARIO" in result.stderr


def write_bytes(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make, expected", [
    (lambda tmp: tmp / "missing.py", "missing.py: no such file"),
    (lambda tmp: tmp, "is a directory"),
    (lambda tmp: write_bytes(tmp, "latin.py", b"x = 1\nname = '\xe9'\n"),
     "latin.py:2: not UTF-8 text"),
    (lambda tmp: write_bytes(tmp, "broken.py", b"x = 1\nif x\n    pass\n"),
     "broken.py:2: SyntaxError"),
    (lambda tmp: write_bytes(tmp, "nulls.py", b"x = 1\x00\n"), "nulls.py:1: not a Python file"),
    (lambda tmp: write_bytes(tmp, "data.csv", b"a,b\n1,2\n"), "data.csv: not a Python file (.csv)"),
    (lambda tmp: "/dev/null", "/dev/null: not a regular file"),
])
@pytest.mark.parametrize("command", ["run", "dump"])
def test_bad_files_get_one_clear_line_and_exit_2(tmp_path, make, expected, command):
    result = graphtui(command, make(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def recorded(tmp_path):
    scenario = write_bytes(tmp_path, "ok.py", b"print('hi')\n")
    recording = tmp_path / "ok.jsonl"
    assert graphtui("dump", scenario, "--record", recording).returncode == 0
    return recording


@pytest.mark.parametrize("make, expected", [
    (lambda tmp: tmp / "missing.jsonl", "missing.jsonl: no such file"),
    (lambda tmp: (tmp / "dir.jsonl").mkdir() or tmp / "dir.jsonl", "dir.jsonl: is a directory"),
    (lambda tmp: write_bytes(tmp, "latin.jsonl", b"{\"a\": \"\xe9\"}\n"), "not UTF-8 text"),
    (lambda tmp: write_bytes(tmp, "ok.py", b"print('hi')\n"),
     "ok.py: not a graphtui recording (.gtr or .jsonl)"),
    (lambda tmp: write_bytes(tmp, "cut.jsonl", recorded(tmp).read_bytes()[:-10]),
     "not valid JSON"),
])
def test_open_refuses_bad_recordings_in_one_line_with_exit_2(tmp_path, make, expected):
    result = graphtui("open", make(tmp_path), "--headless", "--screenshot", tmp_path / "o.svg")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert not (tmp_path / "o.svg").exists()


def test_headless_needs_a_screenshot_path(tmp_path):
    scenario = write_bytes(tmp_path, "ok.py", b"pass\n")
    result = graphtui("run", scenario, "--headless")
    assert result.returncode == 2 and "--screenshot" in result.stderr


def test_bad_size_is_a_usage_error(tmp_path):
    scenario = write_bytes(tmp_path, "ok.py", b"pass\n")
    result = graphtui("run", scenario, "--headless", "--screenshot", tmp_path / "o.svg",
                      "--size", "huge")
    assert result.returncode == 2 and "120x36" in result.stderr


def test_dump_prints_output_and_passes_arguments(tmp_path):
    scenario = write_bytes(tmp_path, "args.py", b"import sys\nprint('args', sys.argv[1:])\n")
    result = graphtui("dump", scenario, "--", "--epochs", "3")
    assert result.returncode == 0, result.stderr
    assert "args ['--epochs', '3']" in result.stdout
    assert "== run finished" in result.stdout


def test_dump_of_a_failing_scenario_shows_its_traceback_and_exits_1(tmp_path):
    scenario = write_bytes(tmp_path, "fails.py", b"print('hi')\nraise ValueError('nope')\n")
    result = graphtui("dump", scenario)
    assert result.returncode == 1
    assert "== run failed" in result.stdout
    assert result.stdout.rstrip().endswith("ValueError: nope")
    assert 'fails.py", line 2' in result.stdout and "runpy" not in result.stdout


def test_the_back_end_does_not_import_textual():
    code = ("import sys, graphtui.session, graphtui.model, graphtui.cli, graphtui.dump; "
            "print(','.join(m for m in sys.modules if m.split('.')[0] in "
            "('textual', 'rich', 'torch')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""


def test_an_internal_error_is_logged_to_a_file_and_named_in_one_line(tmp_path, monkeypatch,
                                                                      capsys):
    import graphtui.headless
    from graphtui import cli

    def broken_screenshot(session, keys, out_path, size=(120, 36)):
        raise ValueError("widget exploded")

    monkeypatch.setattr(graphtui.headless, "screenshot", broken_screenshot)
    scenario = write_bytes(tmp_path, "ok.py", b"pass\n")
    status = cli.main(["run", str(scenario), "--headless", "--screenshot",
                       str(tmp_path / "out.svg")])
    assert status == cli.EXIT_INTERNAL
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "internal error (ValueError: widget exploded)" in line
    log_path = line.rsplit(" ", 1)[-1]
    with open(log_path, encoding="utf-8") as log:
        assert "broken_screenshot" in log.read()


def test_headless_run_writes_a_screenshot(tmp_path):
    scenario = write_bytes(tmp_path, "ok.py", b"print('hello from the scenario')\n")
    out = tmp_path / "shot.svg"
    result = graphtui("run", scenario, "--headless", "--screenshot", out, "--size", "100x30")
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").lstrip().startswith("<svg")


def test_dump_records_and_a_recording_dumps_the_same(tmp_path):
    scenario = write_bytes(tmp_path, "fails.py", b"print('hi')\nraise ValueError('nope')\n")
    recording = tmp_path / "fails.jsonl"
    live = graphtui("dump", scenario, "--record", recording)
    replayed = graphtui("dump", recording)
    assert live.returncode == replayed.returncode == 1
    assert live.stdout == replayed.stdout and "ValueError: nope" in replayed.stdout


def test_a_corrupted_recording_gets_one_line_and_exit_2(tmp_path):
    scenario = write_bytes(tmp_path, "ok.py", b"print('hi')\n")
    recording = tmp_path / "ok.jsonl"
    assert graphtui("dump", scenario, "--record", recording).returncode == 0
    text = recording.read_text(encoding="utf-8")
    recording.write_text(text[:-10], encoding="utf-8")
    result = graphtui("run", recording, "--headless", "--screenshot", tmp_path / "o.svg")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "ok.jsonl:" in line and "not valid JSON" in line


def test_a_recording_opens_headless(tmp_path):
    scenario = write_bytes(tmp_path, "ok.py", b"print('hi')\n")
    recording = tmp_path / "ok.jsonl"
    assert graphtui("dump", scenario, "--record", recording).returncode == 0
    out = tmp_path / "shot.svg"
    result = graphtui("run", recording, "--headless", "--screenshot", out)
    assert result.returncode == 0, result.stderr
    assert out.exists()


def test_bare_graphtui_shows_its_help():
    result = graphtui()
    assert result.returncode == 2 and "usage: graphtui" in result.stderr
    assert "run" in result.stderr and "dump" in result.stderr


def test_a_screenshot_alone_means_headless(tmp_path):
    scenario = write_bytes(tmp_path, "ok.py", b"print('hi')\n")
    out = tmp_path / "o.svg"
    result = graphtui("run", scenario, "--screenshot", out, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<svg")


def test_the_tui_without_a_terminal_says_what_to_use_instead(tmp_path):
    scenario = write_bytes(tmp_path, "ok.py", b"print('hi')\n")
    result = graphtui("run", scenario, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr and "--screenshot" in result.stderr


@pytest.mark.parametrize("keys, unknown", [("foo", "'foo'"), ("n,ctrl+nope", "'ctrl+nope'")])
def test_an_unknown_key_to_press_is_named(tmp_path, keys, unknown):
    scenario = write_bytes(tmp_path, "ok.py", b"pass\n")
    result = graphtui("run", scenario, "--screenshot", tmp_path / "o.svg", "--press", keys)
    assert result.returncode == 2
    assert f"unknown key {unknown}" in result.stderr and not (tmp_path / "o.svg").exists()


def test_known_key_names_are_accepted():
    assert cli.parse_keys("n, enter,question_mark,ctrl+q,[,shift+tab,pagedown") == [
        "n", "enter", "question_mark", "ctrl+q", "[", "shift+tab", "pagedown"]


def test_a_too_small_size_states_the_minimum(tmp_path):
    scenario = write_bytes(tmp_path, "ok.py", b"pass\n")
    result = graphtui("run", scenario, "--screenshot", tmp_path / "o.svg", "--size", "10x5")
    assert result.returncode == 2 and "smallest size is 20x10" in result.stderr


def test_a_png_name_is_refused_rather_than_given_svg(tmp_path):
    scenario = write_bytes(tmp_path, "ok.py", b"pass\n")
    result = graphtui("run", scenario, "--screenshot", tmp_path / "o.png")
    assert result.returncode == 2 and "ending in .svg" in result.stderr
    assert not (tmp_path / "o.png").exists()


def test_list_is_not_cut_when_piped_and_its_names_run():
    listed = graphtui("list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines and not any(line.endswith("…") for line in lines)
    name = next(line.split()[0] for line in lines if line.startswith("seed_03"))
    for given in (name, name + ".py"):
        result = graphtui("dump", given)
        assert result.returncode == 1          # the lesson's second backward fails
        assert "Trying to backward through the graph a second time" in result.stdout


def test_a_missing_name_is_still_a_missing_file(tmp_path):
    result = graphtui("dump", "no_such_scenario")
    assert result.returncode == 2 and "no_such_scenario: no such file" in result.stderr


def test_a_headless_screenshot_of_a_failed_run_exits_1(tmp_path):
    scenario = write_bytes(tmp_path, "fails.py", b"raise ValueError('nope')\n")
    result = graphtui("run", scenario, "--screenshot", tmp_path / "o.svg")
    assert result.returncode == 1 and (tmp_path / "o.svg").exists()
