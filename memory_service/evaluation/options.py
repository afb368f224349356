"""What an evaluation run is asked to do, checked once before any work starts.

`RunOptions` is the one list of the options a user picks. The REST job schema is that model,
`make_options` takes its fields as keywords, and the command line has one option for each
(tests/evaluation/test_options.py fails when one of them lacks an option). Whichever face they
come from, the options go through one validator, `make_options`, into one frozen value,
`EvalOptions`: a bad option fails with `InvalidInputError` (exit 2 on the command line, 422 over
REST) before a model is loaded or a question is ingested.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NoReturn

from pydantic import BaseModel, ConfigDict, Field

from memory_service.domain import Layer
from memory_service.errors import InvalidInputError
from memory_service.evaluation.metrics import DEFAULT_KS
from memory_service.evaluation.prompts import PROMPT_STYLES, SERVICE_ANSWER_PROMPT, PromptStyle
from retrieval.config import DEFAULT_RECIPE, RecipeError, recipe

Benchmark = Literal["longmemeval", "locomo"]
GranularityChoice = Literal["session", "turn", "both"]
IngestChoice = Literal["all", "user"]

BENCHMARKS: tuple[str, ...] = ("longmemeval", "locomo")
GRANULARITIES: tuple[str, ...] = ("session", "turn", "both")
INGEST_CHOICES: tuple[str, ...] = ("all", "user")
LAYERS: tuple[str, ...] = ("episodic", "semantic", "graph")
MAX_TOP_K = 200
"""The search API's own cap on ``top_k``."""
SCORING_VERSION = 2
"""Bumped when records change meaning, so a resumed run never mixes records scored two ways
(2: LoCoMo records hold the official and the cleaned evidence scores, rankings record their depth)."""

DEFAULT_ANSWER_PROMPT = SERVICE_ANSWER_PROMPT
"""The service's answering prompt (``qa_prompt_style: service``)."""
OFFICIAL_JUDGE_MODEL = "gpt-4o-2024-08-06"
"""The judge LongMemEval's own evaluation uses (``evaluate_qa.py``: ``gpt-4o``)."""

PROMPT_FIELDS = frozenset({"memories", "question", "question_date"})


class RunOptions(BaseModel):
    """The options of a run as a user picks them, each with the command line's default.

    Values are checked by `make_options`, whatever face they come from; the bounds and choices
    here also describe them in the API's schema.
    """

    model_config = ConfigDict(extra="forbid")

    recipes: list[str] | None = Field(default=None, description="Search recipes to compare (default: hybrid).")
    granularity: GranularityChoice | None = Field(
        default=None, description="LongMemEval rankings to score (default both; LoCoMo scores turns)."
    )
    top_k: int = Field(default=50, ge=1, le=MAX_TOP_K, description="Results per search; the deepest k scored.")
    limit: int | None = Field(default=None, ge=1, description="Only the first N questions or conversations.")
    ingest: IngestChoice = Field(default="all", description="All turns, or user turns only.")
    keep: bool = Field(default=False, description="Keep each question's memories after scoring.")
    infer: bool = Field(
        default=False, description="Ingest with infer: extract facts and graph relations before asking (LongMemEval)."
    )
    layers: list[Layer] | None = Field(
        default=None, description="Layers the turn search reads (default episodic); semantic and graph need infer."
    )
    qa: bool = Field(default=True, description="Answer and judge with the configured LLM, when there is one.")
    llm_model: str | None = Field(
        default=None, max_length=200, description="Answering model (default: the configured one)."
    )
    judge_model: str | None = Field(
        default=None, max_length=200, description=f"Judging model (default: the benchmark's, {OFFICIAL_JUDGE_MODEL})."
    )
    judge_with_answer_model: bool = Field(
        default=False, description="Judge with the answering model instead of the benchmark's judge."
    )
    qa_top_k: int = Field(default=10, ge=1, le=MAX_TOP_K, description="Memories given to the answering model.")
    qa_prompt: str | None = Field(
        default=None, max_length=20_000, description="Answer prompt with {memories}, {question}, {question_date}."
    )
    qa_prompt_style: PromptStyle = Field(
        default="official",
        description="official: the benchmark's reader prompt and context layout; service: the service's own.",
    )


@dataclass(frozen=True)
class QAOptions:
    """Question answering and judging; present only when an LLM is configured."""

    model: str
    judge_model: str = OFFICIAL_JUDGE_MODEL
    top_k: int = 10
    prompt: str | None = None
    """A custom template; None: the style's own prompt."""
    prompt_style: PromptStyle = "official"
    llm_options: Mapping[str, Any] = field(default_factory=dict)
    """Passed through to litellm on every call (``api_base``, ``mock_response`` ...)."""
    judge_llm_options: Mapping[str, Any] | None = None
    """The judge's own litellm options; None: ``llm_options``."""

    @property
    def judge(self) -> str:
        return self.judge_model

    @property
    def judge_is_official(self) -> bool:
        """Whether accuracies are judged as the benchmark judges them, so they compare with published ones."""
        return self.judge_model == OFFICIAL_JUDGE_MODEL

    @property
    def judge_options(self) -> Mapping[str, Any]:
        return self.llm_options if self.judge_llm_options is None else self.judge_llm_options


@dataclass(frozen=True)
class EvalOptions:
    """One run: which benchmark, how to search, how much of the file, and QA when an LLM is set."""

    benchmark: Benchmark
    recipes: tuple[str, ...] = (DEFAULT_RECIPE,)
    granularity: GranularityChoice = "both"
    top_k: int = 50
    limit: int | None = None
    ingest: IngestChoice = "all"
    keep: bool = False
    infer: bool = False
    """Ingest with ``infer``: facts and graph relations are extracted before questions are asked."""
    layers: tuple[str, ...] = ("episodic",)
    """Layers the turn-level search reads; semantic and graph hits count as their source turns."""
    qa: QAOptions | None = None
    qa_skipped_reason: str | None = "no LLM configured: set MEMORY_LLM_MODEL or pass --llm-model"

    @property
    def granularities(self) -> tuple[str, ...]:
        """The search granularities to run, in report order."""
        return ("session", "turn") if self.granularity == "both" else (self.granularity,)

    @property
    def turn_search_depth(self) -> int:
        """Turns a LongMemEval turn search asks for: as many as the API gives. The turn-to-session
        ranking at k needs k distinct sessions, and 50 turns seldom hold 50 sessions; turn
        metrics read the same ranking's top k."""
        return MAX_TOP_K if self.benchmark == "longmemeval" else self.top_k

    @property
    def ks(self) -> tuple[int, ...]:
        return tuple(k for k in DEFAULT_KS if k <= self.top_k) or (self.top_k,)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready copy for the run manifest; the QA prompt is kept, litellm options are not."""
        data = asdict(self)
        data["recipes"] = list(self.recipes)
        data["layers"] = list(self.layers)
        if self.qa is not None:
            data["qa"] = {
                **data["qa"],
                "llm_options": sorted(self.qa.llm_options),
                "judge_llm_options": sorted(self.qa.judge_options),
            }
        return data

    def comparable(self) -> dict[str, Any]:
        """What must stay equal for a resumed run to extend the same results."""
        return {
            "benchmark": self.benchmark,
            "recipes": list(self.recipes),
            "granularity": self.granularity,
            "top_k": self.top_k,
            "ingest": self.ingest,
            "infer": self.infer,
            "layers": list(self.layers),
            "qa_model": self.qa.model if self.qa else None,
            "judge_model": self.qa.judge_model if self.qa else None,
            "qa_prompt_style": self.qa.prompt_style if self.qa else None,
            "scoring": SCORING_VERSION,
        }


def make_options(
    benchmark: str,
    *,
    recipes: Sequence[str] | None = None,
    granularity: str | None = None,
    top_k: int = 50,
    limit: int | None = None,
    ingest: str = "all",
    keep: bool = False,
    infer: bool = False,
    layers: Sequence[str] | None = None,
    llm_model: str | None = None,
    judge_model: str | None = None,
    judge_with_answer_model: bool = False,
    qa_top_k: int = 10,
    qa_prompt: str | None = None,
    qa_prompt_style: str = "official",
    llm_options: Mapping[str, Any] | None = None,
    judge_llm_options: Mapping[str, Any] | None = None,
    no_llm_reason: str | None = None,
) -> EvalOptions:
    """Checked options; every problem is an `InvalidInputError` naming the option and the fix.

    The keywords are `RunOptions`' fields, but ``qa``: without an LLM to answer, pass no
    ``llm_model`` and say why in ``no_llm_reason``. ``llm_options`` go to litellm as they are,
    on every call; ``judge_llm_options``, when given, replace them for the judge's calls.
    """
    if benchmark not in BENCHMARKS:
        _bad("benchmark", f"unknown benchmark {benchmark!r}; known: {', '.join(BENCHMARKS)}", benchmark)
    granularity = granularity or ("turn" if benchmark == "locomo" else "both")
    chosen = tuple(dict.fromkeys(recipes or (DEFAULT_RECIPE,)))
    for name in chosen:
        try:
            recipe(name)
        except RecipeError as error:
            _bad("recipe", str(error), name)
    if granularity not in GRANULARITIES:
        _bad("granularity", f"granularity must be one of {', '.join(GRANULARITIES)}", granularity)
    if ingest not in INGEST_CHOICES:
        _bad("ingest", f"ingest must be one of {', '.join(INGEST_CHOICES)}", ingest)
    if benchmark == "locomo" and (granularity != "turn" or ingest != "all"):
        # Evidence ids name turns of both speakers, so LoCoMo is scored on turns of everyone.
        _bad("granularity", "LoCoMo is scored on turns of both speakers: granularity turn, ingest all", granularity)
    chosen_layers = tuple(dict.fromkeys(layers or ("episodic",)))
    if not set(chosen_layers) <= set(LAYERS):
        _bad("layers", f"layers must be among {', '.join(LAYERS)}", list(chosen_layers))
    if benchmark == "locomo" and (infer or chosen_layers != ("episodic",)):
        _bad("infer", "infer and layers other than episodic are available for LongMemEval runs", infer)
    if set(chosen_layers) - {"episodic"} and not infer:
        _bad("layers", "the semantic and graph layers are built from extraction: add infer", list(chosen_layers))
    if not 1 <= top_k <= MAX_TOP_K:
        _bad("top_k", f"top_k must be between 1 and {MAX_TOP_K}", top_k)
    if limit is not None and limit < 1:
        _bad("limit", "limit must be at least 1 (leave it out to run the whole file)", limit)
    if not 1 <= qa_top_k <= top_k:
        _bad("qa_top_k", f"qa_top_k must be between 1 and top_k ({top_k})", qa_top_k)
    template = check_prompt(qa_prompt) if qa_prompt is not None else None
    if qa_prompt_style not in PROMPT_STYLES:
        _bad("qa_prompt_style", f"qa_prompt_style must be one of {', '.join(PROMPT_STYLES)}", qa_prompt_style)
    if judge_with_answer_model and judge_model:
        _bad(
            "judge_model",
            "judge_model and judge_with_answer_model contradict each other: name a judge, or judge with the "
            "answering model",
            judge_model,
        )
    qa = None
    if llm_model:
        qa = QAOptions(
            model=llm_model,
            judge_model=llm_model if judge_with_answer_model else judge_model or OFFICIAL_JUDGE_MODEL,
            top_k=qa_top_k,
            prompt=template,
            prompt_style=qa_prompt_style,  # type: ignore[arg-type]  # checked above
            llm_options=dict(llm_options or {}),
            judge_llm_options=None if judge_llm_options is None else dict(judge_llm_options),
        )
    return EvalOptions(
        benchmark=benchmark,  # type: ignore[arg-type]  # checked above
        recipes=chosen,
        granularity=granularity,  # type: ignore[arg-type]
        top_k=top_k,
        limit=limit,
        ingest=ingest,  # type: ignore[arg-type]
        keep=keep,
        infer=infer,
        layers=chosen_layers,
        qa=qa,
        qa_skipped_reason=None if qa else (no_llm_reason or EvalOptions.qa_skipped_reason),
    )


def job_options(benchmark: str, options: Mapping[str, Any], llm_model: str | None) -> EvalOptions:
    """The run of a REST job: ``options`` are `RunOptions` fields (those left out take their
    defaults); ``llm_model``, the server's, answers unless the job turns QA off or names another."""
    unknown = sorted(set(options) - set(RunOptions.model_fields))
    if unknown:
        raise InvalidInputError(f"unknown job option {unknown[0]!r}", details={"unknown": unknown})
    chosen = {name: options.get(name, spec.get_default()) for name, spec in RunOptions.model_fields.items()}
    qa, model = chosen.pop("qa"), chosen.pop("llm_model")
    reason = "the server has no LLM configured (MEMORY_LLM_MODEL)" if qa else "the job's options turn QA off"
    return make_options(benchmark, **chosen, llm_model=(model or llm_model) if qa else None, no_llm_reason=reason)


def check_prompt(template: str) -> str:
    """A prompt template that names only the known placeholders and at least the question."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise InvalidInputError(
            f"the QA prompt is not a valid template: {exc}; write literal braces as {{{{ and }}}}"
        ) from exc
    unknown = sorted(names - PROMPT_FIELDS)
    if unknown:
        _bad("prompt", f"unknown placeholder {{{unknown[0]}}} in the QA prompt; use {_fields()}", unknown)
    if "question" not in names or "memories" not in names:
        _bad("prompt", f"the QA prompt must contain {{question}} and {{memories}}; available: {_fields()}", None)
    return template


def _fields() -> str:
    return ", ".join(f"{{{name}}}" for name in sorted(PROMPT_FIELDS))


def _bad(option: str, message: str, value: object) -> NoReturn:
    raise InvalidInputError(message, details={"option": option, "value": value})
