"""python -m tests.differential --seeds 0:1000 [--nn] [--shrink] [--show SEED]

Generates programs from the seeds, runs each in torch and in engine, and prints how many
agree and a table of the first divergences by class (what differs @ the op that wrote the
statement), with the smallest seed of each class; --shrink also prints a minimal program
for each class."""
from __future__ import annotations

import argparse
import collections
import sys
import time

from tests.differential.generator import generate
from tests.differential.runner import first_divergence, shrink


def _seeds(text: str) -> range:
    start, _, stop = text.partition(":")
    return range(int(start), int(stop)) if stop else range(int(start), int(start) + 1)


def run(seeds, kind: str, do_shrink: bool, out=sys.stdout) -> dict:
    classes = collections.Counter()
    examples: dict = {}
    started = time.perf_counter()
    agreed = 0
    for seed in seeds:
        program, steps = generate(seed, kind)
        divergence = first_divergence(program, steps)
        if divergence is None:
            agreed += 1
            continue
        classes[divergence.cls] += 1
        examples.setdefault(divergence.cls, (seed, program, divergence))
    total = len(seeds)
    elapsed = time.perf_counter() - started
    print(f"{kind}: {agreed}/{total} programs agree ({100 * agreed / max(total, 1):.1f}%), "
          f"seeds {seeds.start}:{seeds.stop}, {elapsed:.1f} s", file=out)
    for cls, count in classes.most_common():
        seed, program, divergence = examples[cls]
        print(f"{count:6d}  {cls:45s} e.g. seed {seed}", file=out)
        if do_shrink:
            small, found = shrink(program, divergence)
            print(_indent(small.source()), file=out)
            print(_indent(f"# divergence: {found.kind}: {found.detail}"), file=out)
    return {"agreed": agreed, "total": total, "classes": classes}


def _indent(text: str) -> str:
    return "\n".join("        " + line for line in text.splitlines())


def show(seed: int, kind: str) -> None:
    program, steps = generate(seed, kind)
    print(program.source())
    divergence = first_divergence(program, steps)
    if divergence is None:
        print("# agrees")
        return
    print(f"# first divergence at statement {divergence.index}: {divergence.cls}")
    print(divergence.detail)
    small, found = shrink(program, divergence)
    print("\n# shrunk:\n" + small.source())
    print(f"# {found.kind}: {found.detail}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.differential")
    parser.add_argument("--seeds", default="0:200", help="START:STOP")
    parser.add_argument("--nn", action="store_true", help="nn programs instead of core ones")
    parser.add_argument("--shrink", action="store_true", help="print a minimal program per class")
    parser.add_argument("--show", type=int, help="print one seed's program and its divergence")
    args = parser.parse_args(argv)
    kind = "nn" if args.nn else "core"
    if args.show is not None:
        show(args.show, kind)
        return 0
    result = run(_seeds(args.seeds), kind, args.shrink)
    return 0 if result["agreed"] == result["total"] else 1


if __name__ == "__main__":
    sys.exit(main())
