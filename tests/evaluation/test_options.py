"""Evaluation options have one source, ``RunOptions``; every face that takes them is checked here.

REST jobs take the schema itself (``EvalJobOptions``), ``make_options`` (the one validator) takes
its fields as keywords, and the command line has an option for each; a run asked for the same
way from the command line and over REST is the same run.
"""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from memory_service import cli_eval
from memory_service.cli import app
from memory_service.errors import InvalidInputError
from memory_service.evaluation.job_schemas import EvalJobOptions
from memory_service.evaluation.options import EvalOptions, RunOptions, job_options, make_options

FIELDS = RunOptions.model_fields
PROMPT = "Memories: {memories}\nQ: {question}\nA:"

CLI_NAMES: dict[str, str] = {
    "recipe": "recipes",
    "granularity": "granularity",
    "top_k": "top_k",
    "limit": "limit",
    "ingest": "ingest",
    "keep": "keep",
    "infer": "infer",
    "layers": "layers",
    "no_qa": "qa",
    "llm_model": "llm_model",
    "judge_model": "judge_model",
    "judge_with_answer_model": "judge_with_answer_model",
    "qa_top_k": "qa_top_k",
    "qa_prompt": "qa_prompt",
    "qa_prompt_style": "qa_prompt_style",
}
"""The command line's parameter for each option (``--no-qa`` is ``qa: false``, ``--qa-prompt`` a file)."""
CLI_DEFAULTS: dict[str, Any] = {"granularity": "both", "no_qa": False}
"""Command-line defaults that read differently: what the option's default means for LongMemEval."""
CLI_ONLY: dict[str, str] = {
    "path": "the dataset; a REST job names it in dataset_path or uploads it",
    "out": "the run folder; a REST job gets one of its own",
    "workers": "worker processes; the server runs jobs in its own process",
    "resume": "a REST job resumes by itself after a restart",
    "overwrite": "a REST job's folder is always new",
    "url": "which server to evaluate; a REST job evaluates the server it runs on",
    "api_key": "the key for --url",
    "data_dir": "the embedded store; a REST job uses the server's",
    "cache_dir": "the folder of vectors kept across runs; a REST job uses the server's (MEMORY_EMBEDDING_CACHE_DIR)",
    "no_cache": "turns that folder off; the server's setting decides for a REST job",
    "llm_option": "litellm keyword arguments (api_base, keys): not for a REST caller to set on the server's LLM",
}
LOCOMO_LEAVES_OUT: dict[str, str] = {
    "granularity": "LoCoMo is scored on turns",
    "ingest": "LoCoMo's evidence names turns of both speakers, so every turn is ingested",
    "infer": "extraction runs are for LongMemEval",
    "layers": "the semantic and graph layers need infer, which is for LongMemEval",
}

EVERY_OPTION: dict[str, Any] = {
    "recipes": ["bm25", "hybrid"],
    "granularity": "turn",
    "top_k": 20,
    "limit": 2,
    "ingest": "user",
    "keep": True,
    "infer": True,
    "layers": ["episodic", "semantic"],
    "qa": True,
    "llm_model": "gpt-4o-mini",
    "judge_model": "gpt-4o",
    "judge_with_answer_model": False,
    "qa_top_k": 5,
    "qa_prompt": PROMPT,
    "qa_prompt_style": "service",
}
"""A value other than the default for every option but ``qa`` and ``judge_with_answer_model`` (which
contradicts naming a judge), as a REST job sends it."""
EVERY_CLI_ARG = [
    "--recipe", "bm25", "--recipe", "hybrid", "--granularity", "turn", "--top-k", "20", "--limit", "2",
    "--ingest", "user", "--keep", "--infer", "--layers", "episodic,semantic", "--llm-model", "gpt-4o-mini",
    "--judge-model", "gpt-4o", "--qa-top-k", "5", "--qa-prompt", "PROMPT_FILE", "--qa-prompt-style", "service",
]  # fmt: skip
"""The command line's spelling of ``EVERY_OPTION``."""


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MEMORY_LLM_MODEL", "MEMORY_URL", "MEMORY_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def parameters(function: Any) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(function).parameters)


def from_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str, *args: str) -> EvalOptions:
    """The options the command line hands to the runner for ``args``."""
    seen: list[EvalOptions] = []

    def run(path: Path, out: Path, options: EvalOptions, *rest: Any) -> Any:
        seen.append(options)
        raise typer.Exit(0)

    monkeypatch.setattr(cli_eval, "_run", run)
    prompt = tmp_path / "prompt.txt"
    prompt.write_text(PROMPT)
    given = [str(prompt) if arg == "PROMPT_FILE" else arg for arg in args]
    result = CliRunner().invoke(app, ["eval", command, "data.json", "--out", str(tmp_path / "out"), *given])
    assert result.exit_code == 0, result.output
    (options,) = seen
    return options


def unexplained(options: EvalOptions) -> EvalOptions:
    """The run itself, without the reason QA is skipped (which names the face it was asked from)."""
    return dataclasses.replace(options, qa_skipped_reason=None)


# -- the faces take the same options ---------------------------------------------------------


def test_rest_jobs_take_every_run_option() -> None:
    assert list(EvalJobOptions.model_fields) == list(FIELDS)
    assert list(EVERY_OPTION) == list(FIELDS)


def test_make_options_takes_every_run_option_with_its_default() -> None:
    keywords = {name: p for name, p in parameters(make_options).items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert set(keywords) == set(FIELDS) - {"qa"} | {"llm_options", "judge_llm_options", "no_llm_reason"}
    for name, spec in FIELDS.items():
        if name in keywords:
            assert keywords[name].default == spec.get_default(), name


@pytest.mark.parametrize(("command", "leaves_out"), [("longmemeval", {}), ("locomo", LOCOMO_LEAVES_OUT)])
def test_the_command_line_has_an_option_for_every_run_option(command: str, leaves_out: dict[str, str]) -> None:
    given = parameters(getattr(cli_eval, command))
    offered = {name: CLI_NAMES[name] for name in given if name not in CLI_ONLY}
    assert set(given) - set(offered) == set(CLI_ONLY), f"eval {command} has parameters this test does not know"
    assert set(offered.values()) | set(leaves_out) == set(FIELDS), f"eval {command} lacks an option"
    assert not set(offered.values()) & set(leaves_out)
    for name in offered:
        expected = CLI_DEFAULTS.get(name, FIELDS[CLI_NAMES[name]].get_default())
        assert given[name].default == expected, f"eval {command} --{name}"


# -- ... and make the same run ---------------------------------------------------------------


def test_every_option_reaches_the_runner() -> None:
    base = job_options("longmemeval", EVERY_OPTION, llm_model=None)
    other: dict[str, Any] = {
        "recipes": ["hybrid"], "granularity": "session", "top_k": 30, "limit": 3, "ingest": "all", "keep": False,
        "infer": False, "layers": None, "qa": False, "llm_model": "claude-3-haiku", "judge_model": None,
        "judge_with_answer_model": True, "qa_top_k": 6, "qa_prompt": None, "qa_prompt_style": "official",
    }  # fmt: skip
    assert list(other) == list(FIELDS)
    for name, value in other.items():
        changed = {**EVERY_OPTION, name: value}
        if name == "infer":
            changed["layers"] = None  # the semantic layer needs infer
        if name == "judge_with_answer_model":
            changed["judge_model"] = None  # naming a judge contradicts it
        assert job_options("longmemeval", changed, llm_model=None) != base, f"{name} does not reach the run"


def test_the_command_line_and_a_rest_job_make_the_same_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cli = from_cli(monkeypatch, tmp_path, "longmemeval", *EVERY_CLI_ARG)
    assert cli == job_options("longmemeval", EVERY_OPTION, llm_model=None)
    assert cli.infer and cli.layers == ("episodic", "semantic") and cli.qa is not None and cli.qa.prompt == PROMPT

    no_qa = from_cli(monkeypatch, tmp_path, "longmemeval", *EVERY_CLI_ARG, "--no-qa")
    assert unexplained(no_qa) == unexplained(job_options("longmemeval", {**EVERY_OPTION, "qa": False}, None))
    assert no_qa.qa is None


@pytest.mark.parametrize("command", ["longmemeval", "locomo"])
def test_the_defaults_are_the_same_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str) -> None:
    cli = from_cli(monkeypatch, tmp_path, command)
    assert unexplained(cli) == unexplained(job_options(command, {}, llm_model=None))


def test_a_job_with_an_unknown_option_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="unknown job option 'colour'"):
        job_options("longmemeval", {"colour": "red"}, llm_model=None)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"layers": ["episodic", "semantic"]}, "add infer"),
        ({"infer": True, "layers": ["dreams"]}, "layers must be among"),
    ],
)
def test_layers_and_infer_are_checked_alike_from_every_face(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        make_options("longmemeval", **options)
    with pytest.raises(InvalidInputError, match=message):
        job_options("longmemeval", options, llm_model=None)
