"""Forgetting the message that ended a memory or a relation lets it stand again, in both layers.

"I moved to Lisbon", said by mistake and forgotten, must leave Porto as home, not a user with no
home; a diet or a job a forgotten message said was over is current again. What ended stays
ended when a later value still stands on another message, or when a person ended it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from memory_service.domain import NewMessage
from memory_service.layers.semantic.domain import Memory
from memory_service.runtime import Runtime

NS = "default"
T0 = datetime(2024, 3, 1, tzinfo=UTC)


def say(runtime: Runtime, user_id: str, session: str, text: str, days: int) -> None:
    message = NewMessage("user", text, T0 + timedelta(days=days))
    runtime.episodic.add_messages(NS, f"{user_id}-{session}", user_id, [message], infer=True)
    runtime.extraction.drain()


def forget(runtime: Runtime, user_id: str, session: str) -> None:
    runtime.forgetting.delete_session(NS, f"{user_id}-{session}")


def memories(runtime: Runtime, user_id: str) -> list[Memory]:
    return list(runtime.semantic.list_memories(NS, user_id, include_invalid=True).items)


def current(runtime: Runtime, user_id: str) -> str:
    """Every current memory and current relation of the user, as one text to look words up in."""
    texts = [m.text for m in runtime.semantic.list_memories(NS, user_id).items]
    facts = [edge.fact for edge in runtime.graph.edges(NS, user_id).items]
    return "\n".join(texts + facts)


def now_in_both_layers(runtime: Runtime, user_id: str, word: str) -> bool:
    memory = any(word in m.text for m in runtime.semantic.list_memories(NS, user_id).items)
    relation = any(word in edge.fact for edge in runtime.graph.edges(NS, user_id).items)
    return memory and relation


def test_forgetting_a_move_said_by_mistake_leaves_the_old_home_current(runtime: Runtime, user_id: str) -> None:
    runtime.extraction.close()
    say(runtime, user_id, "home", "I live in Porto.", 0)
    say(runtime, user_id, "mistake", "I moved to Lisbon.", 10)
    assert now_in_both_layers(runtime, user_id, "Lisbon") and "Porto" not in current(runtime, user_id)

    forget(runtime, user_id, "mistake")

    assert now_in_both_layers(runtime, user_id, "Porto") and "Lisbon" not in current(runtime, user_id)
    porto = next(m for m in memories(runtime, user_id) if "Porto" in m.text)
    assert porto.status == "active" and porto.invalid_at is None
    last = runtime.semantic.history(NS, porto.id)[-1]
    assert last.event == "UPDATE" and last.details["reason"] == "forgotten"
    assert last.details["changed"]["status"] == {"old": "invalid", "new": "active"}
    edge = next(e for e in runtime.graph.edges(NS, user_id).items if "Porto" in e.fact)
    assert edge.invalid_at is None


def test_forgetting_the_message_that_ended_a_diet_makes_it_current(runtime: Runtime, user_id: str) -> None:
    runtime.extraction.close()
    say(runtime, user_id, "diet", "I'm vegetarian.", 0)
    say(runtime, user_id, "ended", "I'm not vegetarian anymore.", 30)
    assert "vegetarian" not in current(runtime, user_id)

    forget(runtime, user_id, "ended")

    assert any("vegetarian" in m.text for m in runtime.semantic.list_memories(NS, user_id).items)


def test_forgetting_the_message_that_ended_a_job_makes_it_current(runtime: Runtime, user_id: str) -> None:
    runtime.extraction.close()
    say(runtime, user_id, "job", "I work at Siemens.", 0)
    say(runtime, user_id, "quit", "I quit Siemens.", 30)
    assert "Siemens" not in current(runtime, user_id)

    forget(runtime, user_id, "quit")

    assert now_in_both_layers(runtime, user_id, "Siemens")


def test_a_later_value_said_again_elsewhere_keeps_the_old_one_ended(runtime: Runtime, user_id: str) -> None:
    runtime.extraction.close()
    say(runtime, user_id, "home", "I live in Porto.", 0)
    say(runtime, user_id, "move", "I moved to Lisbon.", 10)
    say(runtime, user_id, "again", "I live in Lisbon.", 20)

    forget(runtime, user_id, "move")

    assert now_in_both_layers(runtime, user_id, "Lisbon") and "Porto" not in current(runtime, user_id)


def test_a_memory_a_person_ended_stays_ended(runtime: Runtime, user_id: str) -> None:
    runtime.extraction.close()
    say(runtime, user_id, "home", "I live in Porto.", 0)
    say(runtime, user_id, "pet", "I have a dog named Biscuit.", 1)
    porto = next(m for m in memories(runtime, user_id) if "Porto" in m.text)
    runtime.semantic.delete(NS, porto.id)

    forget(runtime, user_id, "pet")

    assert not any("Porto" in m.text for m in runtime.semantic.list_memories(NS, user_id).items)
