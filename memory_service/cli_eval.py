"""``memory-service eval``: run LongMemEval or LoCoMo against the service and write reports.

Commands only parse, draw progress and print; `memory_service.evaluation.runner` does the work.
Mistakes in what the user typed (missing file, wrong format, unknown recipe, an output folder
holding another run) exit 2 with a one-line error; failures of the service exit 1; Ctrl-C exits
130 after keeping every finished question, ready for ``--resume``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memory_service.cli_errors import SERVICE_ERROR, USAGE_ERROR, fail
from memory_service.cli_eval_output import print_locomo, print_longmemeval, progress_bars
from memory_service.errors import ConflictError, InvalidInputError, MemoryServiceError, PayloadTooLargeError

if TYPE_CHECKING:
    from memory_service.evaluation.options import EvalOptions
    from memory_service.evaluation.runner import RunOutcome

INTERRUPTED = 130
BENCHMARK_NAMES = {"longmemeval": "LongMemEval", "locomo": "LoCoMo"}

eval_app = typer.Typer(
    help="Run long-term memory benchmarks (LongMemEval, LoCoMo) against the service.",
    no_args_is_help=True,
)

PathArg = Annotated[Path, typer.Argument(help="The benchmark file, in its public format, unchanged.")]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Folder for results.jsonl, metrics.json, report.md.")]
RecipeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--recipe",
        "-r",
        help="Search recipe, or one with settings changed (hybrid:answer_weight=0); repeat to compare [hybrid].",
    ),
]
LimitOption = Annotated[int | None, typer.Option("--limit", "-n", help="Only the first N units of the file.")]
WorkersOption = Annotated[int, typer.Option("--workers", "-w", help="Worker processes.")]
ResumeOption = Annotated[bool, typer.Option("--resume", help="Continue the run in --out, skipping finished units.")]
OverwriteOption = Annotated[bool, typer.Option("--overwrite", help="Discard the results already in --out.")]
KeepOption = Annotated[bool, typer.Option("--keep", help="Keep each unit's memories instead of deleting them.")]
InferOption = Annotated[
    bool, typer.Option("--infer", help="Ingest with infer: extract facts and graph relations before asking.")
]
LayersOption = Annotated[
    list[str] | None,
    typer.Option("--layers", "--layer", help="Layers the turn search reads (with --infer): episodic, semantic, graph."),
]
TopKOption = Annotated[int, typer.Option("--top-k", help="Results per search (the deepest k scored).")]
UrlOption = Annotated[
    str | None, typer.Option("--url", envvar="MEMORY_URL", help="Evaluate a running server instead of in process.")
]
ApiKeyOption = Annotated[str | None, typer.Option("--api-key", envvar="MEMORY_API_KEY", help="Bearer key for --url.")]
DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Embedded store for the run [DIR/store]; one folder per worker.")
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Vectors kept across runs by model and text, so a rerun embeds nothing it has seen "
        "[~/.cache/memory-service/embeddings].",
    ),
]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Embed everything afresh; keep no vectors.")]
LlmOption = Annotated[
    str | None, typer.Option("--llm-model", help="litellm model answering questions [MEMORY_LLM_MODEL]; none: no QA.")
]
JudgeOption = Annotated[
    str | None, typer.Option("--judge-model", help="Model judging answers [the benchmark's: gpt-4o-2024-08-06].")
]
JudgeWithAnswerOption = Annotated[
    bool,
    typer.Option("--judge-with-answer-model", help="Judge with --llm-model (the report marks it as not official)."),
]
PromptStyleOption = Annotated[
    str,
    typer.Option(
        "--qa-prompt-style", help="official: the benchmark's reader prompt and context; service: the service's own."
    ),
]
QaTopKOption = Annotated[int, typer.Option("--qa-top-k", help="Memories given to the answering model.")]
PromptOption = Annotated[
    Path | None,
    typer.Option("--qa-prompt", help="Answer prompt template with {memories}, {question}, {question_date}."),
]
LlmOptionsOption = Annotated[
    list[str] | None, typer.Option("--llm-option", help="KEY=VALUE passed to litellm (e.g. api_base=...); repeat.")
]
NoQaOption = Annotated[bool, typer.Option("--no-qa", help="Skip QA even when an LLM is configured.")]


@eval_app.command("longmemeval")
def longmemeval(
    path: PathArg,
    out: OutOption,
    granularity: Annotated[str, typer.Option(help="session, turn or both.")] = "both",
    recipe: RecipeOption = None,
    limit: LimitOption = None,
    workers: WorkersOption = 1,
    resume: ResumeOption = False,
    overwrite: OverwriteOption = False,
    keep: KeepOption = False,
    top_k: TopKOption = 50,
    ingest: Annotated[str, typer.Option(help="all turns, or user turns only (the benchmark's keys).")] = "all",
    infer: InferOption = False,
    layers: LayersOption = None,
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    data_dir: DataDirOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    llm_model: LlmOption = None,
    judge_model: JudgeOption = None,
    judge_with_answer_model: JudgeWithAnswerOption = False,
    qa_top_k: QaTopKOption = 10,
    qa_prompt: PromptOption = None,
    qa_prompt_style: PromptStyleOption = "official",
    llm_option: LlmOptionsOption = None,
    no_qa: NoQaOption = False,
) -> None:
    """LongMemEval (oracle, S or M): retrieval recall and NDCG per question type, QA with an LLM."""
    options = _options(
        "longmemeval", recipe, granularity, top_k, limit, ingest, keep, llm_model, judge_model, qa_top_k, qa_prompt,
        llm_option, no_qa, infer=infer, layers=layers, judge_with_answer_model=judge_with_answer_model,
        qa_prompt_style=qa_prompt_style,
    )  # fmt: skip
    cache = None if no_cache else cache_dir or default_cache_dir()
    outcome = _run(path, out, options, workers, resume, overwrite, url, api_key, data_dir, cache)
    print_longmemeval(outcome.metrics)
    _done(outcome)


@eval_app.command("locomo")
def locomo(
    path: PathArg,
    out: OutOption,
    recipe: RecipeOption = None,
    limit: LimitOption = None,
    workers: WorkersOption = 1,
    resume: ResumeOption = False,
    overwrite: OverwriteOption = False,
    keep: KeepOption = False,
    top_k: TopKOption = 50,
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    data_dir: DataDirOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    llm_model: LlmOption = None,
    judge_model: JudgeOption = None,
    judge_with_answer_model: JudgeWithAnswerOption = False,
    qa_top_k: QaTopKOption = 10,
    qa_prompt: PromptOption = None,
    qa_prompt_style: PromptStyleOption = "official",
    llm_option: LlmOptionsOption = None,
    no_qa: NoQaOption = False,
) -> None:
    """LoCoMo (e.g. locomo10.json): evidence recall@k per category, QA (F1 and judge) with an LLM."""
    options = _options(
        "locomo", recipe, "turn", top_k, limit, "all", keep, llm_model, judge_model, qa_top_k, qa_prompt, llm_option,
        no_qa, judge_with_answer_model=judge_with_answer_model, qa_prompt_style=qa_prompt_style,
    )  # fmt: skip
    cache = None if no_cache else cache_dir or default_cache_dir()
    outcome = _run(path, out, options, workers, resume, overwrite, url, api_key, data_dir, cache)
    print_locomo(outcome.metrics)
    _done(outcome)


# -- output (tables and progress bars: cli_eval_output) ----------------------------------------


def _done(outcome: RunOutcome) -> None:
    timing = outcome.metrics.get("timing") or {}
    units = timing.get("units") or 0
    total = timing.get("total_s") or 0.0
    per_unit = f", {total / units:.2f} s per unit" if units else ""
    typer.echo(f"wall time {total:.1f} s for {units} units{per_unit}")
    typer.echo(f"reports in {outcome.folder.root}: metrics.json, report.md, results.jsonl")
    if outcome.failed:
        typer.echo(f"{outcome.failed} unit(s) failed; see report.md, and rerun them with --resume", err=True)


# -- plumbing ----------------------------------------------------------------------------------


def _options(
    benchmark: str,
    recipes: list[str] | None,
    granularity: str,
    top_k: int,
    limit: int | None,
    ingest: str,
    keep: bool,
    llm_model: str | None,
    judge_model: str | None,
    qa_top_k: int,
    qa_prompt: Path | None,
    llm_options: list[str] | None,
    no_qa: bool,
    *,
    infer: bool = False,
    layers: list[str] | None = None,
    judge_with_answer_model: bool = False,
    qa_prompt_style: str = "official",
) -> EvalOptions:
    from memory_service.evaluation.options import make_options

    reason = None
    if no_qa:
        llm_model, reason = None, "--no-qa given"
    elif not llm_model:
        llm_model = _configured_llm()
    with _errors():
        prompt = _read_text(qa_prompt, "--qa-prompt") if qa_prompt else None
        return make_options(
            benchmark,
            recipes=recipes,
            granularity=granularity,
            top_k=top_k,
            limit=limit,
            ingest=ingest,
            keep=keep,
            llm_model=llm_model,
            judge_model=judge_model,
            judge_with_answer_model=judge_with_answer_model,
            qa_top_k=qa_top_k,
            qa_prompt=prompt,
            qa_prompt_style=qa_prompt_style,
            llm_options=parse_llm_options(llm_options or []),
            no_llm_reason=reason,
            infer=infer,
            layers=[name.strip() for value in layers or [] for name in value.split(",") if name.strip()] or None,
        )


def parse_llm_options(pairs: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs; a value that reads as JSON (numbers, true, objects) is taken as such."""
    parsed: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError(f"--llm-option takes KEY=VALUE, got {pair!r}")
        try:
            parsed[key.strip()] = json.loads(value)
        except ValueError:
            parsed[key.strip()] = value
    return parsed


def _configured_llm() -> str | None:
    from pydantic import ValidationError

    from memory_service.settings import Settings

    try:
        return Settings().llm_model
    except ValidationError as exc:
        fail(f"invalid settings: {exc.errors(include_url=False)[0]['msg']}", USAGE_ERROR)


def default_cache_dir() -> Path:
    """Where reruns find their vectors unless told: the user's cache folder."""
    return Path.home() / ".cache" / "memory-service" / "embeddings"


def _run(
    path: Path,
    out: Path,
    options: EvalOptions,
    workers: int,
    resume: bool,
    overwrite: bool,
    url: str | None,
    api_key: str | None,
    data_dir: Path | None,
    cache_dir: Path | None = None,
) -> RunOutcome:
    from memory_service.evaluation.client import ClientConfig
    from memory_service.evaluation.runner import RunRequest, embedded_store, run_evaluation
    from memory_service.evaluation.workers import quiet_model_loading

    if not path.is_file():
        fail(f"dataset file not found: {path}", USAGE_ERROR)
    if resume and overwrite:
        fail("--resume and --overwrite contradict each other; pick one", USAGE_ERROR)
    # The model's own loading bar would tear through ours; off before the model library loads.
    quiet_model_loading()
    config = ClientConfig(
        url=url,
        api_key=api_key,
        data_dir=data_dir.resolve() if data_dir else None,
        cache_dir=cache_dir.expanduser().resolve() if cache_dir and not url else None,
    )
    request = embedded_store(RunRequest(path, out, options, config, workers, resume, overwrite))
    with _errors(BENCHMARK_NAMES[options.benchmark]), progress_bars() as progress:
        try:
            return run_evaluation(request, progress)
        except KeyboardInterrupt:
            progress.stop()
            fail(f"interrupted; finished units are kept in {out}: rerun with --resume to continue", INTERRUPTED)


@contextmanager
def _errors(benchmark: str = "benchmark") -> Iterator[None]:
    """Known failures as one line on stderr: exit 2 for what the user can fix, 1 for the service."""
    from memory_service.evaluation.datasets import DatasetFormatError

    try:
        yield
    except DatasetFormatError as exc:
        fail(f"not a {benchmark} file in the benchmark's format: {exc}", USAGE_ERROR)
    except OSError as exc:
        fail(f"cannot read {exc.filename or 'the input'}: {exc.strerror or exc}", USAGE_ERROR)
    except (InvalidInputError, PayloadTooLargeError, ConflictError) as exc:
        fail(exc.message, USAGE_ERROR)
    except MemoryServiceError as exc:
        fail(exc.message, SERVICE_ERROR)


def _read_text(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {option} {path}: {exc}") from exc
