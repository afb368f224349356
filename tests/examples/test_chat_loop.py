"""examples/chat_loop.py runs offline as shipped: it recalls what was said before and remembers each exchange."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from types import ModuleType

from memory_service.sdk.local import LocalMemoryClient
from memory_service.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chat_loop.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("chat_loop", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_chat_loop_recalls_what_was_said_before(tmp_path: Path) -> None:
    chat_loop = load_example()
    out = io.StringIO()
    lines = ["I live in Lisbon and I love hiking.\n", "\n", "Where do I live?\n"]
    chat_loop.main(["--data-dir", str(tmp_path), "--user", "ana", "--session", "s-1"], lines, out)
    first, second = out.getvalue().splitlines()
    assert first == "assistant> Nice to meet you! Tell me about yourself."  # nothing remembered yet
    assert second.startswith("assistant> From what you told me before:") and "Lisbon" in second

    with LocalMemoryClient.open(Settings(data_dir=tmp_path)) as client:
        stored = [(e.role, e.content) for e in client.iter_messages("s-1")]
    assert stored[0] == ("user", "I live in Lisbon and I love hiking.") and stored[1][0] == "assistant"
    assert len(stored) == 4  # both exchanges, the empty line skipped
