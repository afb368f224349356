"""The evaluation runner on the real service: isolation, metrics, resume, cancel, clients and workers.

Small benchmark files in the real formats are written to ``tmp_path`` (the builders here are
shared with the CLI and job tests); one test runs on a slice of the real LongMemEval oracle file.
"""

from __future__ import annotations

import copy
import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from memory_service.api.app import create_app
from memory_service.errors import ConflictError, InvalidInputError
from memory_service.evaluation.client import ClientConfig
from memory_service.evaluation.options import make_options
from memory_service.evaluation.partition import make_partition
from memory_service.evaluation.results import RunFolder
from memory_service.evaluation.runner import RunRequest, run_evaluation
from memory_service.runtime import Runtime, build_runtime
from memory_service.sdk.client import MemoryClient
from memory_service.sdk.local import LocalMemoryClient
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.conftest import shared_data_dir

ORACLE = shared_data_dir() / "longmemeval" / "longmemeval_oracle_dev.json"


# -- sample files in the benchmarks' formats --------------------------------------------------


def _turn(role: str, content: str, has_answer: bool | None = None) -> dict[str, Any]:
    turn: dict[str, Any] = {"role": role, "content": content}
    if has_answer is not None:
        turn["has_answer"] = has_answer
    return turn


NOISE = {
    "sharegpt_a_0": [
        _turn("user", "Can you suggest a quick pasta recipe with garlic and spinach?"),
        _turn("assistant", "Sure: cook spaghetti, saute garlic in olive oil, add spinach and toss."),
    ],
    "ultrachat_b_1": [
        _turn("user", "What are good hiking trails near Denver for beginners?"),
        _turn("assistant", "Try Red Rocks Trail or the Mount Falcon loop."),
        _turn("user", "   "),
    ],
    "sharegpt_c_2": [
        _turn("user", "How do I fix a leaking kitchen faucet?"),
        _turn("assistant", "Turn off the water, replace the washer, and reassemble."),
    ],
}


def longmemeval_questions() -> list[dict[str, Any]]:
    """Four questions in LongMemEval's format: factual, knowledge update, abstention, assistant-only.

    Haystacks reuse the same session ids across questions, as the real files do.
    """
    pets = [
        _turn("user", "I adopted a golden retriever puppy named Biscuit last week!", True),
        _turn("assistant", "Congratulations on adopting Biscuit! Golden retrievers are wonderful.", False),
    ]
    move_old = [
        _turn("user", "I live in a small apartment in Chicago near the lake.", True),
        _turn("assistant", "Nice."),
    ]
    move_new = [
        _turn("user", "We finally moved! I now live in Austin, Texas, in a house with a garden.", True),
        _turn("assistant", "Welcome to Austin!"),
    ]
    assistant_only = [
        _turn("user", "Give me a name for a bakery."),
        _turn("assistant", "How about 'The Rolling Pin'?", True),
    ]

    def question(qid: str, qtype: str, text: str, answer: str, sessions: dict[str, list[Any]]) -> dict[str, Any]:
        sessions = copy.deepcopy(sessions)  # fresh turns per question: tests edit them
        ids = list(sessions)
        return {
            "question_id": qid,
            "question_type": qtype,
            "question": text,
            "answer": answer,
            "question_date": "2023/06/10 (Sat) 09:00",
            "haystack_session_ids": ids,
            "haystack_dates": [f"2023/05/{10 + i:02d} (Wed) 1{i}:30" for i in range(len(ids))],
            "haystack_sessions": list(sessions.values()),
            "answer_session_ids": [sid for sid in ids if "answer" in sid],
        }

    return [
        question(
            "q_pets",
            "single-session-user",
            "What is the name of the puppy I adopted?",
            "Biscuit",
            {**NOISE, "answer_pets_1": pets},
        ),
        question(
            "q_move",
            "knowledge-update",
            "Where do I live now?",
            "Austin, Texas",
            {"answer_move_1": move_old, **NOISE, "answer_move_2": move_new},
        ),
        question("q_cat_abs", "single-session-user", "What is my cat's name?", "You did not mention a cat.", {**NOISE}),
        question(
            "q_bakery",
            "single-session-assistant",
            "What bakery name did you suggest?",
            "The Rolling Pin",
            {**NOISE, "answer_bakery_1": assistant_only},
        ),
    ]


def write_longmemeval(path: Path, questions: list[dict[str, Any]] | None = None) -> Path:
    path.write_text(json.dumps(questions if questions is not None else longmemeval_questions()))
    return path


def locomo_conversations() -> list[dict[str, Any]]:
    """One LoCoMo conversation; some evidence ids are malformed or point to missing turns, as in the file."""
    return [
        {
            "sample_id": "conv-test",
            "conversation": {
                "speaker_a": "Caroline",
                "speaker_b": "Melanie",
                "session_1_date_time": "1:56 pm on 8 May, 2023",
                "session_1": [
                    {"speaker": "Caroline", "dia_id": "D1:1", "text": "I went to an LGBTQ support group yesterday."},
                    {"speaker": "Melanie", "dia_id": "D1:2", "text": "That sounds empowering, how was it?"},
                    {"speaker": "Caroline", "dia_id": "D1:3", "text": "Great. I'm thinking of studying counseling."},
                ],
                "session_2_date_time": "10:37 am on 27 June, 2023",
                "session_2": [
                    {"speaker": "Melanie", "dia_id": "D2:1", "text": "I painted a sunrise over the lake last week."},
                    {
                        "speaker": "Caroline",
                        "dia_id": "D2:2",
                        "text": "Beautiful!",
                        "img_url": ["https://example.org/x.jpg"],
                        "blip_caption": "a painting of a sunrise",
                    },
                    {"speaker": "Melanie", "dia_id": "D2:3", "text": "I also signed up for a pottery class."},
                ],
                "session_3_date_time": "8:00 pm on 1 July, 2023",
            },
            "qa": [
                {"question": "What did Melanie paint?", "answer": "a sunrise", "evidence": ["D2:1"], "category": 4},
                {
                    "question": "When did Caroline go to the LGBTQ support group?",
                    "answer": "7 May 2023",
                    "evidence": ["D1:1", "D:1:2"],
                    "category": 2,
                },
                {
                    "question": "What activities does Melanie do?",
                    "answer": "painting, pottery",
                    "evidence": ["D2:1", "D2:3", "D9:9"],
                    "category": 1,
                },
                {
                    "question": "What did Caroline paint?",
                    "adversarial_answer": "a sunrise",
                    "evidence": ["D2:1"],
                    "category": 5,
                },
                {"question": "What is Melanie's job?", "answer": "unknown", "evidence": [], "category": 3},
            ],
        }
    ]


def write_locomo(path: Path) -> Path:
    path.write_text(json.dumps(locomo_conversations()))
    return path


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def local_runtime(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[Runtime]:
    runtime = build_runtime(sqlite_settings, embedder=embedder)
    yield runtime
    runtime.close()


@pytest.fixture
def client(local_runtime: Runtime) -> LocalMemoryClient:
    return LocalMemoryClient(local_runtime)


class Recorder:
    """A progress sink that remembers what it was told, and can cancel after n units."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.cancel = threading.Event()
        self.cancel_after = cancel_after
        self.begun: tuple[int, int, str] | None = None
        self.records: list[Mapping[str, Any]] = []

    def begin(self, total: int, done: int, unit_name: str) -> None:
        self.begun = (total, done, unit_name)

    def advance(self, record: Mapping[str, Any]) -> None:
        self.records.append(record)
        if self.cancel_after is not None and len(self.records) >= self.cancel_after:
            self.cancel.set()


def request(tmp_path: Path, dataset: Path, **options: Any) -> RunRequest:
    resume = options.pop("resume", False)
    benchmark = options.pop("benchmark", "longmemeval")
    return RunRequest(dataset, tmp_path / "out", make_options(benchmark, **options), resume=resume)


def users(runtime: Runtime) -> list[str]:
    from sqlalchemy import select

    from memory_service.store.tables import UserRow

    with runtime.db.read() as db:
        return list(db.scalars(select(UserRow.external_id)).all())


# -- LongMemEval -----------------------------------------------------------------------------


def test_longmemeval_run_scores_isolated_questions_and_forgets_them(
    tmp_path: Path, client: LocalMemoryClient, local_runtime: Runtime
) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    progress = Recorder()
    outcome = run_evaluation(request(tmp_path, dataset, recipes=["hybrid", "bm25"]), progress, client=client)

    assert progress.begun == (4, 0, "questions") and len(progress.records) == 4
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["benchmark"] == "longmemeval"
    # q_cat_abs is an abstention question, q_bakery has its evidence on the assistant side only.
    assert metrics["questions_scored"] == 2
    assert metrics["skipped_abstention"] == 1 and metrics["skipped_empty_gold"] == 1
    for ranking in ("session", "turn", "turn_to_session"):
        assert {"recall_all@5", "recall_all@10", "recall_any@5", "ndcg_any@10"} <= set(metrics[ranking])
    # The evidence is the only text about each topic, so it ranks first in every ranking.
    assert metrics["session"]["recall_any@1"] == 1.0
    assert metrics["session"]["recall_all@5"] == 1.0
    assert metrics["turn"]["recall_all@10"] == 1.0
    assert set(metrics["by_type"]) == {"single-session-user", "knowledge-update"}
    assert metrics["by_type"]["knowledge-update"]["questions"] == 1
    assert set(metrics["recipes"]) == {"hybrid", "bm25"} and metrics["recipe"] == "hybrid"
    assert metrics["recipes"]["hybrid"]["session"] == metrics["session"]
    assert metrics["qa"] is None and "no LLM configured" in metrics["qa_skipped"]
    assert metrics["timing"]["ingest_s"] > 0 and metrics["timing"]["query_p50_ms"] > 0
    assert metrics["complete"] is True and outcome.completed == 4 and outcome.failed == 0

    records = {r["unit"]: r for r in RunFolder(tmp_path / "out").records()}
    move = records["q_move"]
    assert move["recipes"]["hybrid"]["ranked"]["session"][0] == "answer_move_2"
    assert move["recipes"]["hybrid"]["ranked"]["turn"][0] == "answer_move_2_1"  # benchmark turn ids, 1-based
    assert move["ingest"] == {**move["ingest"], "sessions": 5, "turns": 10, "skipped_blank": 1}
    assert users(local_runtime) == []  # every question's user was deleted
    for name in ("report.md", "recall_by_type.png", "recipes.png", "query_latency.png"):
        assert (tmp_path / "out" / name).stat().st_size > 0


def test_keep_leaves_each_question_in_its_own_partition(
    tmp_path: Path, client: LocalMemoryClient, local_runtime: Runtime
) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    run_evaluation(request(tmp_path, dataset, limit=2, keep=True, granularity="session"), client=client)
    records = RunFolder(tmp_path / "out").records()
    kept = sorted(r["user_id"] for r in records)
    assert sorted(users(local_runtime)) == kept and len(set(kept)) == 2
    # Both questions hold a session "sharegpt_a_0"; each got its own stored id.
    stored = [client.list_sessions(user).items for user in kept]
    assert all(any(s.id.endswith("-sharegpt_a_0") for s in sessions) for sessions in stored)
    assert stored[0][0].first_occurred_at is not None
    messages = client.get_messages(stored[0][0].id).items
    assert messages[1].occurred_at.timestamp() - messages[0].occurred_at.timestamp() == 1.0
    assert messages[0].metadata["turn_id"].endswith("_1")


def test_cancel_then_resume_runs_each_question_once(tmp_path: Path, client: LocalMemoryClient) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    first = Recorder(cancel_after=1)
    outcome = run_evaluation(request(tmp_path, dataset), first, first.cancel, client=client)
    assert outcome.cancelled and outcome.completed == 1
    partial = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert partial["complete"] is False and partial["timing"]["units"] == 1

    # A crash in the middle of a write leaves half a line; resuming drops it.
    with (tmp_path / "out" / "results.jsonl").open("a") as handle:
        handle.write('{"unit": "q_move", "question_id"')
    with pytest.raises(ConflictError, match="--resume"):
        run_evaluation(request(tmp_path, dataset), client=client)
    with pytest.raises(ConflictError, match="other options"):
        run_evaluation(request(tmp_path, dataset, recipes=["bm25"], resume=True), client=client)

    second = Recorder()
    outcome = run_evaluation(request(tmp_path, dataset, resume=True), second, client=client)
    assert second.begun == (4, 1, "questions") and outcome.completed == 3
    lines = (tmp_path / "out" / "results.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["unit"] for line in lines) == ["q_bakery", "q_cat_abs", "q_move", "q_pets"]
    assert outcome.metrics["complete"] is True and outcome.metrics["questions_scored"] == 2


def test_a_question_the_service_refuses_is_recorded_and_redone_on_resume(
    tmp_path: Path, client: LocalMemoryClient
) -> None:
    questions = longmemeval_questions()[:2]
    questions[0]["haystack_sessions"][0][0]["role"] = "narrator"  # not a role the API accepts
    dataset = write_longmemeval(tmp_path / "lme.json", questions)
    outcome = run_evaluation(request(tmp_path, dataset), client=client)
    assert outcome.failed == 1 and outcome.metrics["complete"] is False
    assert outcome.metrics["failed_units"][0]["unit"] == "q_pets"
    assert "failed" in (tmp_path / "out" / "report.md").read_text()
    assert RunFolder(tmp_path / "out").done_units() == {"q_move"}


def test_bad_input_fails_before_any_work(tmp_path: Path, client: LocalMemoryClient) -> None:
    from memory_service.evaluation.datasets import DatasetFormatError

    with pytest.raises(InvalidInputError, match="unknown search recipe 'nope'"):
        make_options("longmemeval", recipes=["hybrid", "nope"])
    with pytest.raises(InvalidInputError, match="answer_weight: Input should be greater than or equal to 0"):
        make_options("longmemeval", recipes=["hybrid:answer_weight=-1"])
    assert make_options("locomo", recipes=["hybrid", "hybrid:answer_weight=0"]).recipes == (
        "hybrid",
        "hybrid:answer_weight=0",
    )
    with pytest.raises(InvalidInputError, match="granularity"):
        make_options("longmemeval", granularity="word")
    with pytest.raises(InvalidInputError, match="placeholder"):
        make_options("longmemeval", llm_model="m", qa_prompt="{memories} {question} {answer}")
    with pytest.raises(InvalidInputError, match="LoCoMo is scored on turns"):
        make_options("locomo", granularity="session")
    locomo = write_locomo(tmp_path / "locomo.json")
    with pytest.raises(DatasetFormatError):
        run_evaluation(request(tmp_path, locomo), client=client)
    with pytest.raises(FileNotFoundError):
        run_evaluation(request(tmp_path, tmp_path / "missing.json"), client=client)
    assert not (tmp_path / "out").exists()


def test_results_are_never_thrown_away_silently(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    options = make_options("longmemeval")
    folder.start("lme.json", options, resume=False)
    folder.append({"unit": "q1", "seconds": 1.0})
    folder.append({"unit": "q2", "error": "invalid_input: bad role"})
    assert folder.done_units() == {"q1"}  # failed units are redone
    (tmp_path / "run.json").unlink()
    with pytest.raises(ConflictError, match="run.json is missing"):
        folder.start("lme.json", options, resume=True)
    with pytest.raises(ConflictError, match="--overwrite"):
        folder.start("lme.json", options, resume=False)
    assert folder.done_units() == {"q1"}
    folder.start("lme.json", options, resume=False, overwrite=True)
    assert folder.records() == []


def test_partition_ids_are_valid_unique_and_map_back() -> None:
    odd = ["answer_4be1b6b4_2", "with space/slash", "x" * 140, "answer_4be1b6b4_2"]
    partition = make_partition("run1", "q1", odd)
    assert len(partition.session_ids) == 3 and len(set(partition.session_ids.values())) == 3
    assert partition.session_ids["answer_4be1b6b4_2"] == f"{partition.key}-answer_4be1b6b4_2"
    assert partition.session_ids["with space/slash"] == f"{partition.key}-with_space_slash"
    assert len(partition.session_ids["x" * 140]) <= 128
    assert partition.original[partition.session_ids["x" * 140]] == "x" * 140
    assert make_partition("run2", "q1", odd).user_id != partition.user_id


@pytest.mark.slow
@pytest.mark.skipif(not ORACLE.exists(), reason=f"benchmark sample not found at {ORACLE}")
def test_real_oracle_slice(tmp_path: Path, client: LocalMemoryClient) -> None:
    outcome = run_evaluation(request(tmp_path, ORACLE, limit=3, recipes=["hybrid", "dense"]), client=client)
    assert outcome.completed == 3
    metrics = outcome.metrics
    assert metrics["questions_total"] == 3 and metrics["questions_scored"] == 2  # one is an abstention question
    # The oracle haystack holds only evidence sessions: every one is retrieved.
    assert metrics["session"]["recall_all@10"] == 1.0
    assert metrics["turn_to_session"]["recall_all@50"] == 1.0


# -- LoCoMo ----------------------------------------------------------------------------------


def test_locomo_run_counts_bad_evidence_and_scores_per_category(
    tmp_path: Path, client: LocalMemoryClient, local_runtime: Runtime
) -> None:
    dataset = write_locomo(tmp_path / "locomo.json")
    outcome = run_evaluation(request(tmp_path, dataset, benchmark="locomo", recipes=["hybrid", "bm25"]), client=client)
    metrics = outcome.metrics
    assert metrics["benchmark"] == "locomo" and metrics["conversations"] == 1
    # Officially "D:1:2" (malformed) and "D9:9" (no such turn) are misses, the evidence-less
    # question scores 1, and category 5 is inside the overall.
    assert metrics["evidence_rules"] == "official" and metrics["questions_scored"] == 5
    assert set(metrics["by_category"]) == {"1", "2", "3", "4", "5"}
    assert metrics["by_category"]["4"]["name"] == "single-hop" and metrics["by_category"]["4"]["recall@1"] == 1.0
    assert metrics["by_category"]["1"]["recall@50"] == pytest.approx(2 / 3)
    assert metrics["by_category"]["2"]["recall@50"] == 0.5 and metrics["by_category"]["3"]["recall@1"] == 1.0
    assert metrics["overall"]["recall@50"] == pytest.approx((1 + 0.5 + 2 / 3 + 1 + 1) / 5)
    assert metrics["overall_1_4"]["recall@50"] == pytest.approx((1 + 0.5 + 2 / 3 + 1) / 4)
    cleaned = metrics["cleaned"]  # the bad ids skipped, the evidence-less question left out, 5 apart
    assert cleaned["skipped_evidence_ids"] == 2 and cleaned["skipped_no_evidence"] == 1
    assert cleaned["questions_scored"] == 3 and set(cleaned["by_category"]) == {"1", "2", "4", "5"}
    assert cleaned["by_category"]["1"]["recall@5"] == 1.0 and cleaned["overall"]["recall@50"] == 1.0
    assert set(metrics["recipes"]) == {"hybrid", "bm25"}
    assert (tmp_path / "out" / "recall_by_category.png").stat().st_size > 0
    assert users(local_runtime) == []


def test_locomo_stores_both_speakers_as_people(tmp_path: Path, client: LocalMemoryClient) -> None:
    dataset = write_locomo(tmp_path / "locomo.json")
    run_evaluation(request(tmp_path, dataset, benchmark="locomo", keep=True), client=client)
    (user,) = [r["user_id"] for r in RunFolder(tmp_path / "out").records()]
    messages = [m for s in client.list_sessions(user).items for m in client.get_messages(s.id).items]
    speakers = locomo_conversations()[0]["conversation"]
    # Neither speaker is an AI: the first is the memory's user, the other a named person.
    assert {m.role for m in messages} == {"user", "person"}
    assert {m.metadata["speaker"] for m in messages if m.role == "user"} == {speakers["speaker_a"]}
    assert {m.metadata["speaker"] for m in messages if m.role == "person"} == {speakers["speaker_b"]}


class SearchLog(LocalMemoryClient):
    """The in-process client, remembering each search's query in order."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.queries: list[str] = []

    def search(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self.queries.append(query)
        return super().search(query, *args, **kwargs)


@pytest.mark.parametrize("benchmark", ["longmemeval", "locomo"])
def test_each_unit_loads_its_indexes_before_the_timed_searches(
    tmp_path: Path, local_runtime: Runtime, benchmark: str
) -> None:
    client = SearchLog(local_runtime)
    write = write_longmemeval if benchmark == "longmemeval" else write_locomo
    dataset = write(tmp_path / "data.json")
    run_evaluation(request(tmp_path, dataset, benchmark=benchmark, recipes=["bm25", "hybrid"], limit=2), client=client)
    records = RunFolder(tmp_path / "out").records()
    # One untimed search per unit, before any timed one: the first recipe's latency is a search's too.
    assert client.queries.count("warm-up") == len(records) and client.queries[0] == "warm-up"
    # Two recipes, each searching a LoCoMo question once and a LongMemEval one by session and by turn.
    per_recipe = sum(len(r["questions"]) if benchmark == "locomo" else 2 for r in records)
    assert len(client.queries) - len(records) == 2 * per_recipe


# -- other clients ---------------------------------------------------------------------------


def test_runs_against_a_server_over_http(tmp_path: Path, local_runtime: Runtime) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(runtime=local_runtime), log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.01)
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        dataset = write_longmemeval(tmp_path / "lme.json")
        with MemoryClient(url) as http:
            outcome = run_evaluation(request(tmp_path, dataset, limit=2), client=http)
        assert outcome.completed == 2 and outcome.metrics["session"]["recall_any@1"] == 1.0
        assert users(local_runtime) == []
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.mark.slow
def test_worker_processes_give_the_same_scores(tmp_path: Path, client: LocalMemoryClient) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    alone = run_evaluation(request(tmp_path / "one", dataset), client=client)
    pooled_request = RunRequest(
        dataset,
        tmp_path / "pool",
        make_options("longmemeval"),
        client=ClientConfig(data_dir=tmp_path / "stores"),
        workers=2,
    )
    pooled = run_evaluation(pooled_request)
    assert pooled.completed == 4
    assert pooled.metrics["session"] == alone.metrics["session"]
    assert pooled.metrics["turn"] == alone.metrics["turn"]
    assert sorted(p.name for p in (tmp_path / "stores").iterdir()) == ["worker-0", "worker-1"]


def test_infer_runs_search_the_semantic_and_graph_layers_as_their_source_turns(
    tmp_path: Path, client: LocalMemoryClient, local_runtime: Runtime
) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    layers = ["episodic", "semantic", "graph"]
    outcome = run_evaluation(request(tmp_path, dataset, infer=True, layers=layers, keep=True), client=client)
    assert outcome.failed == 0
    records = {r["unit"]: r for r in RunFolder(tmp_path / "out").records()}
    move = records["q_move"]
    assert move["ingest"]["extraction_wait_s"] >= 0
    ranked = move["recipes"]["hybrid"]["ranked"]["turn"]
    assert ranked[0] == "answer_move_2_1" and len(ranked) == len(set(ranked))
    assert all(not turn.startswith(("mem_", "rel_")) for turn in ranked)  # facts count as their turns
    # The store now holds the facts the runs extracted, with the episodes they came from.
    user = move["user_id"]
    memories = client.list_memories(user).items
    assert any("Austin" in m.text and m.provenance for m in memories)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"layers": ["episodic", "semantic"]}, "add infer"),
        ({"infer": True, "layers": ["dreams"]}, "layers must be among"),
        ({"benchmark": "locomo", "infer": True, "granularity": "turn"}, "LongMemEval"),
    ],
)
def test_layer_options_are_checked(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    benchmark = options.pop("benchmark", "longmemeval")
    with pytest.raises(InvalidInputError, match=message):
        make_options(benchmark, **options)
