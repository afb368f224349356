"""A chat loop with long-term memory: recall before each answer, remember after it.

    python examples/chat_loop.py                      # offline: embedded store, canned replies
    python examples/chat_loop.py --model gpt-4o-mini  # any litellm model (its API key in the environment)
    python examples/chat_loop.py --url http://127.0.0.1:8080 --api-key KEY  # a running service

Each line you type is answered by the model with what the service recalls about it in the
system prompt; then the exchange is stored, and facts are distilled from it in the background.
Without --model the reply is litellm's ``mock_response``, built from the recalled memory, so the
loop runs with no model and no network.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from memory_service.sdk import LocalMemoryClient, MemoryClient, MemoryContext
from memory_service.settings import Settings

SYSTEM = "You are a helpful assistant with a long-term memory of this user. What you remember:\n\n"
CONTEXT_TOKENS = 600
"""Room for memory in the prompt; the rest of the model's window is the conversation's."""


def offline_reply(memory: MemoryContext) -> str:
    """What the mock model says: the most relevant memory, to show recall at work."""
    if not memory.items:
        return "Nice to meet you! Tell me about yourself."
    return f"From what you told me before: {memory.items[0].text}"


Client = LocalMemoryClient | MemoryClient


def chat_turn(client: Client, text: str, *, user: str, session: str, model: str | None) -> str:
    """One exchange: recall, answer, remember."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # read at import: no price map fetched
    import litellm

    memory = client.recall(text, user, token_budget=CONTEXT_TOKENS)
    messages = [
        {"role": "system", "content": SYSTEM + (memory.text or "(nothing yet)")},
        {"role": "user", "content": text},
    ]
    offline = {} if model else {"mock_response": offline_reply(memory)}
    response = litellm.completion(model=model or "gpt-4o-mini", messages=messages, **offline)
    reply = response.choices[0].message.content or ""
    client.remember(
        [{"role": "user", "content": text}, {"role": "assistant", "content": reply}], user, session_id=session
    )
    return reply


def run(client: Client, lines: Iterable[str], out: TextIO, *, user: str, session: str, model: str | None) -> None:
    """Answer every non-empty line, in order, until the input ends."""
    for line in lines:
        if text := line.strip():
            print(f"assistant> {chat_turn(client, text, user=user, session=session, model=model)}", file=out)


def main(argv: Sequence[str] | None = None, lines: Iterable[str] | None = None, out: TextIO = sys.stdout) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=os.environ.get("CHAT_MODEL"), help="litellm model; default: offline")
    parser.add_argument("--url", help="a running memory service; default: in process")
    parser.add_argument("--api-key", help="its bearer key")
    parser.add_argument("--data-dir", type=Path, default=Path("chat-data"), help="the embedded store")
    parser.add_argument("--user", default="me")
    parser.add_argument("--session", default="chat")
    args = parser.parse_args(argv)
    client = (
        MemoryClient(args.url, api_key=args.api_key)
        if args.url
        else LocalMemoryClient.open(Settings(data_dir=args.data_dir))
    )
    with client:
        source = sys.stdin if lines is None else lines
        run(client, source, out, user=args.user, session=args.session, model=args.model)


if __name__ == "__main__":
    main()
