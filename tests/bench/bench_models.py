"""Model filtering per keystroke, the core alone, over a 2,000-model catalog.

Measures: `ModelIndex.filter` for every prefix of 8 queries as typed, one character at a
time (the picker reuses the last matches while a query grows), and the same keystrokes with
nothing to reuse; index build time. Floor, same run: a plain substring scan over the same ids.
GC on (a collection that lands on a keystroke is part of what the user waits for).
Leaves out: the picker's drawing and key handling (bench_picker measures those in a pty).
The machine is shared: read `machine`.
Prints JSON. Run: `python tests/bench/bench_models.py [--models N] [--repeat R]`.
Target: median < 16 ms, worst < 50 ms per keystroke (the UI comes on top).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import machine, stats

from routmy_tui.core.catalog import ModelIndex
from routmy_tui.core.types import ModelInfo

FAMILIES = {
    "openai": [
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-5",
        "gpt-5-mini",
        "o3",
        "o4-mini",
    ],
    "anthropic": [
        "claude-3.5-haiku",
        "claude-3.7-sonnet",
        "claude-sonnet-4",
        "claude-sonnet-4.5",
        "claude-opus-4.1",
    ],
    "google": [
        "gemini-2.0-flash",
        "gemini-2.5-flash",
        "gemini-2.5-pro",
        "gemini-3-pro-image",
        "gemma-3-27b-it",
    ],
    "meta-llama": [
        "llama-3.1-8b-instruct",
        "llama-3.3-70b-instruct",
        "llama-4-maverick",
        "llama-4-scout",
    ],
    "mistralai": [
        "mistral-large",
        "mistral-small-3.2",
        "mixtral-8x22b-instruct",
        "pixtral-large",
        "codestral",
    ],
    "qwen": ["qwen3-235b-a22b", "qwen2.5-vl-72b-instruct", "qwen3-coder", "qwq-32b"],
    "deepseek": ["deepseek-chat-v3.1", "deepseek-r1", "deepseek-r1-distill-llama-70b"],
    "x-ai": ["grok-4", "grok-3-mini", "grok-code-fast-1"],
    "cohere": ["command-r-plus", "command-a"],
    "nousresearch": ["hermes-3-llama-3.1-405b", "hermes-4-70b"],
}
SUFFIXES = [
    "",
    "-preview",
    "-latest",
    "-2025-06-01",
    "-free",
    "-nitro",
    "-thinking",
    "-exp",
    "-beta",
    "-fast",
]
EXTRA_PROVIDERS = [
    "fireworks",
    "together",
    "groq",
    "novita",
    "deepinfra",
    "lambda",
    "parasail",
    "nebius",
]

QUERIES = [
    "claude-sonnet",
    "gpt4o",
    "gem 2.5",
    "llama 70b",
    "openai/o3",
    "xyz-no-match",
    "qwen vl",
    "deepseek-r1",
]


def synthetic_catalog(n: int, seed: int = 7) -> list[ModelInfo]:
    """`n` distinct, realistic `provider/model` ids (some hosted by other providers)."""
    rng = random.Random(seed)
    ids: list[str] = []
    seen: set[str] = set()
    bases = [(owner, model) for owner, models in FAMILIES.items() for model in models]
    while len(ids) < n:
        owner, model = rng.choice(bases)
        host = owner if rng.random() < 0.5 else rng.choice(EXTRA_PROVIDERS)
        suffix = rng.choice(SUFFIXES)
        candidate = f"{host}/{model}{suffix}"
        if rng.random() < 0.3:
            candidate += f"-v{rng.randint(1, 40)}"
        if candidate in seen:
            continue
        seen.add(candidate)
        ids.append(candidate)
    return [
        ModelInfo(
            id=model_id,
            owned_by=model_id.split("/")[0],
            name=model_id.split("/")[1].replace("-", " ").title(),
            is_available=rng.random() > 0.1,
        )
        for model_id in ids
    ]


def keystrokes(queries: list[str]) -> list[str]:
    """Every prefix of every query, as typed one character at a time (a fresh start each)."""
    return [q[:i] for q in queries for i in range(1, len(q) + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    models = synthetic_catalog(args.models)
    ids = [m.id for m in models]
    favourites = [ids[3], ids[10]]
    recent = [ids[20], ids[5]]
    strokes = keystrokes(QUERIES)

    t0 = time.perf_counter()
    index = ModelIndex(models)
    build_ms = (time.perf_counter() - t0) * 1000
    cold_index = ModelIndex(models)

    timings: list[float] = []
    cold: list[float] = []  # each keystroke on a fresh query (no reuse of the last matches)
    floor: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(args.repeat):
        for query in strokes:
            if len(query) == 1:
                index.filter("")  # a new query starts from an empty box
            start = time.perf_counter()
            result = index.filter(query, favourites=favourites, recent=recent)
            timings.append((time.perf_counter() - start) * 1000)
            counts[query] = len(result)
            cold_index.filter("")  # forget the last query: search all models
            start = time.perf_counter()
            cold_index.filter(query, favourites=favourites, recent=recent)
            cold.append((time.perf_counter() - start) * 1000)
            low = query.lower()
            start = time.perf_counter()
            _ = [m for m in ids if low in m]
            floor.append((time.perf_counter() - start) * 1000)

    report = {
        "bench": "models",
        "machine": machine(),
        "models": len(models),
        "keystrokes": len(strokes),
        "repeat": args.repeat,
        "index_build_ms": round(build_ms, 2),
        "filter_ms": stats(timings),
        "filter_without_incremental_reuse_ms": stats(cold),
        "floor_substring_scan_ms": stats(floor),
        "matches_for": {q: counts[q] for q in (*QUERIES, "c", "cl", "cla", "clau")},
        "target": "filter_ms median < 16, worst < 50",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
