"""Markdown rendering of hostile and ordinary input: CPU time per render, memo bypassed.

One comment of 20,000 `[` used to cost 1.7 s of CPU (quadratic link scanning), so five of them
made a need page take 7.6 s. Renders each input three times with `time.process_time` (CPU time,
so another process on the machine does not count) and prints the median in milliseconds.

    .venv/bin/python -m benchmarks.markdown
"""

from __future__ import annotations

import statistics
import time

from app.services import markdown

CASES = {
    "[ × 20,000": "[" * 20_000,
    "[ × 50,000 (the longest minutes)": "[" * 50_000,
    "![ × 10,000": "![" * 10_000,
    "[]( + 97 characters, × 500": ("[](" + "x" * 97) * 500,
    "*a × 10,000": "*a" * 10_000,
    "**a* × 5,000": "**a*" * 5_000,
    "> × 20,000": ">" * 20_000,
    "nested lists, 400 deep": "\n".join("  " * i + "- punkt" for i in range(400)),
    "ordinary text, 20,000 characters": (
        "Et avsnitt med *litt* **uthevet** tekst og en [lenke](https://example.org/).\n\n" * 260
    )[:20_000],
}


def main() -> None:
    """Print the median CPU time per render of each case."""
    print(f"{'input':36s} {'ms CPU':>8s}")
    for name, text in CASES.items():
        times = []
        for _ in range(3):
            start = time.process_time()
            markdown._render(text)  # the memo would answer repeats without rendering
            times.append(time.process_time() - start)
        print(f"{name:36s} {statistics.median(times) * 1000:8.1f}")


if __name__ == "__main__":
    main()
