"""The headline table of ``bash bench/run.sh``: every figure the benchmarks recorded with
``bench.common.record``, its goal and whether it is met.

    python bench/summary.py figures.jsonl

Figures are ratios taken side by side in one run (so that load from elsewhere hits both sides
alike); the detail column gives the two sides' own figures.
"""

from __future__ import annotations

import json
import operator
import sys

CHECKS = {">=": operator.ge, "<=": operator.le}


def met(value: float, goal: str) -> bool:
    """Whether ``value`` meets ``goal`` (``">= 0.5"`` or ``"<= 1.2"``)."""
    sign, bound = goal.split()
    return CHECKS[sign](value, float(bound))


def table(lines: list[dict]) -> str:
    """The figures as a Markdown table, in the order they were recorded."""
    rows = ["| figure | database | measured | goal | met | detail |",
            "|---|---|---:|---|---|---|"]
    for line in lines:
        rows.append(f"| {line['figure']} | {line['database']} | {line['value']:g} | "
                    f"{line['goal']} | {'yes' if met(line['value'], line['goal']) else 'NO'} | "
                    f"{line['detail']} |")
    missed = sum(not met(line["value"], line["goal"]) for line in lines)
    rows.append("")
    rows.append(f"{len(lines) - missed} of {len(lines)} figures meet their goal.")
    return "\n".join(rows)


def main(path: str) -> None:
    """Print the table of the figures recorded in ``path``."""
    with open(path) as handle:
        lines = [json.loads(text) for text in handle if text.strip()]
    print(table(lines))


if __name__ == "__main__":
    main(sys.argv[1])
