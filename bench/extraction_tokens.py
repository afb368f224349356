"""Tokens per episode of LLM extraction: one call per batch reads statements for both layers.

Every session of the LoCoMo sample conversation is one batch, as an ``infer=true`` write of a
session makes one extraction task. Prompt tokens are counted by litellm's tokenizer over the
exact messages the statement extractor sends; completion tokens over the answer it asks for,
written here from the offline reading of the same batch in the reply schema (so the answer is as
long as a model's would be for what the rules find, not a guess). The call goes through litellm
with ``mock_response``: nothing leaves the machine.

    python -m bench.extraction_tokens [--model gpt-4o-mini]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from agents import llm
from agents.statements import LLMStatementExtractor, RuleStatementExtractor, Statement
from bench.extraction_yield import locomo_batches

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo" / "locomo_dev.json"


def _day(moment: Any) -> str | None:
    return moment.date().isoformat() if moment is not None else None


def as_reply(statement: Statement) -> dict[str, Any]:
    """A statement in the reply schema the prompt asks for."""
    return {
        "subject": statement.subject,
        "attribute": statement.attribute,
        "statement": statement.text,
        "kind": statement.kind,
        "polarity": statement.polarity,
        "value": statement.value,
        "value_type": statement.value_type,
        "predicate": statement.predicate,
        "inverse": statement.inverse,
        "valid_from": _day(statement.valid_from),
        "valid_until": _day(statement.valid_until),
        "confidence": statement.confidence,
        "source_ids": list(statement.source_episode_ids),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="gpt-4o-mini", help="the model whose tokenizer counts")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    litellm = llm._litellm()
    rules = RuleStatementExtractor()
    calls = episodes = prompt = completion = 0

    def counted(model: str, messages: list[dict[str, str]], **options: Any) -> llm.Completion:
        nonlocal calls, prompt, completion
        answer = options.pop("answer")
        calls += 1
        prompt += litellm.token_counter(model=model, messages=messages)
        completion += litellm.token_counter(model=model, text=answer)
        return llm.complete(model, messages, mock_response=answer, **options)

    for batch in locomo_batches(args.data):
        episodes += len(batch)
        answer = json.dumps({"statements": [as_reply(s) for s in rules.extract(batch).statements], "entities": []})
        LLMStatementExtractor(args.model, complete=counted, answer=answer).extract(batch)
    print(f"LoCoMo sample: {episodes} episodes in {calls} batches, {calls} model calls")
    print(
        f"prompt {prompt / episodes:.1f} + completion {completion / episodes:.1f} = "
        f"{(prompt + completion) / episodes:.1f} tokens per episode"
    )


if __name__ == "__main__":
    main()
