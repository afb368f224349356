"""Search configuration as data: which rankings to fuse and how, under named recipes.

A recipe is a frozen :class:`SearchConfig`. Requests name one (``"recipe": "bm25"``); the
evaluation compares several in one run. Keeping scoring in data rather than code paths
means a new combination is a new entry here, measured with the same benchmark.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

TimeMode = Literal["off", "boost", "filter"]


class SearchConfig(BaseModel):
    """How one search ranks candidates. Weights apply to reciprocal-rank fusion terms."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    dense: bool = True
    lexical: bool = True
    dense_weight: float = Field(default=1.0, ge=0)
    lexical_weight: float = Field(default=1.0, ge=0)
    rrf_k: int = Field(
        default=10,
        ge=1,
        description="Reciprocal-rank fusion constant; 10 beat the customary 60 on LongMemEval and LoCoMo "
        "(bench.retrieval_quality): a list's top hits count more than agreement deep in both lists.",
    )
    round_weight: float = Field(
        default=1.0,
        ge=0,
        description="Weight of the round keys' rankings (a user turn with its replies, searched as one); 0 = off.",
    )
    round_reply_weight: float = Field(
        default=0.75,
        ge=0,
        description="Share of a matching round's weight its replies get (its opener gets it whole): 0 credits "
        "only the user's turn, 1 both sides alike. 0 is best on LongMemEval (evidence is what the user said), "
        "1 on LoCoMo (both speakers are people); 0.6-0.8 beat turn-only keys on both (bench.keys_quality).",
    )
    answer_weight: float = Field(
        default=0.5,
        ge=0,
        description="Share of a person's question's fused score added to its answer, the next turn by another "
        "person (retrieval.answers): an answer ('Three times a week.') seldom shares the query's words, its "
        "question does. LoCoMo tune, cross-validated: recall@10 +0.045; inert between a user and an assistant, "
        "where it cost LongMemEval_S turn recall (see retrieval.answers); 0 = off.",
    )
    assistant_weight: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of its fused score an assistant's turn keeps (a person's turns keep it whole), unless "
        "the query asks for the assistant's own words (retrieval.speaker_cues). A reply restates the user's "
        "topic at length; at 0.5 the user's statements are not crowded out of the top hits by the replies to "
        "them (LongMemEval_S tune, cross-validated: turn recall_all@10 +0.10, nDCG@10 +0.075), while a reply "
        "that alone matches still ranks; LoCoMo has no assistant turns (both speakers are people).",
    )
    named_speaker_weight: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description="Share of its score a turn keeps when the query names one speaker of the partition and "
        "another said the turn (retrieval.speakers; a message's metadata 'speaker' names its speaker); 1 = off. "
        "LoCoMo tune, cross-validated: recall@10 +0.010 over every category, +0.013 over categories 1-4, both "
        "inside the noise, and no category loses (dev conversation: categories 1-4 +0.031); at 0.5 and below "
        "the adversarial category (questions that name the wrong person) loses beyond the noise. Inert without "
        "speaker names (LongMemEval).",
    )
    short_turn_terms: int = Field(
        default=0,
        ge=0,
        description="A turn with fewer terms (words less stopwords) than this keeps terms/short_turn_terms of "
        "its score: greetings and acknowledgements match a query through a name or a common word alone. Off by "
        "default: at 20 it gained inside the noise on both benchmarks (whose evidence is long turns) and would "
        "bury a user's short statement ('I'm allergic to peanuts') under longer replies; 0 = off.",
    )
    candidates: int = Field(default=50, ge=1, description="Depth of each ranking before fusion.")
    time_mode: TimeMode = Field(
        default="boost",
        description="What a time phrase in the query does: nothing, raise turns in its range, or keep only them.",
    )
    time_boost: float = Field(default=0.5, ge=0, description="Multiplier added to the score of turns in range.")
    recency_weight: float = Field(default=0.0, ge=0, description="Score share given to recency (0 = off).")
    recency_half_life_days: float = Field(default=30.0, gt=0)
    mmr_lambda: float | None = Field(
        default=None, ge=0, le=1, description="Maximal marginal relevance trade-off; None turns diversity off."
    )
    roles: tuple[str, ...] | None = Field(
        default=None, description="Only turns of these roles (a request's own role filter wins)."
    )
    semantic_weight: float = Field(
        default=1.0,
        ge=0,
        description="Weight of the semantic layer's ranking when it is fused with the episodic one by reciprocal rank.",
    )
    graph_weight: float = Field(
        default=1.0,
        ge=0,
        description="Weight of the graph layer's ranking when it is fused with the other layers by reciprocal rank.",
    )
    semantic_decay_weight: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Share of a semantic memory's score that follows its forgetting-curve strength (0 = off).",
    )
    semantic_strength_days: float = Field(
        default=30.0,
        gt=0,
        description="Days for an unreinforced memory's strength to fall to 1/e; each reinforcement adds as much again.",
    )
    session_decay: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A session's score is its best turn plus this share of its second, squared for the third...",
    )

    def role_weights(self) -> dict[str, float]:
        """Score shares by speaker role, for the roles that do not keep their score whole."""
        return {"assistant": self.assistant_weight} if self.assistant_weight != 1.0 else {}

    def rankings(self) -> tuple[str, ...]:
        return tuple(name for name, on in (("dense", self.dense), ("lexical", self.lexical)) if on)


SINGLE_RANKING: dict[str, Any] = {"time_mode": "off", "round_weight": 0, "answer_weight": 0}
"""What the baselines leave out: each turn is ranked by one similarity alone, as it reads."""

RECIPES: dict[str, SearchConfig] = {
    config.name: config
    for config in (
        SearchConfig(
            name="hybrid",
            description="Dense and BM25 over turns and rounds fused by reciprocal rank; time phrases boost.",
        ),
        SearchConfig(
            name="dense",
            description="Embedding similarity over turns only.",
            lexical=False,
            **SINGLE_RANKING,
        ),
        SearchConfig(name="bm25", description="BM25 over turns only.", dense=False, **SINGLE_RANKING),
        SearchConfig(
            name="dense_user_turns",
            description="Embedding similarity over the user's own turns only (the usual baseline).",
            lexical=False,
            roles=("user",),
            **SINGLE_RANKING,
        ),
        SearchConfig(
            name="hybrid_turns",
            description="Dense + BM25 over single turns only (no round keys).",
            round_weight=0.0,
        ),
        SearchConfig(
            name="hybrid_user_rounds",
            description="Dense + BM25; a matching round credits only its user turn (evidence is what the user said).",
            round_reply_weight=0.0,
        ),
        SearchConfig(
            name="hybrid_rounds_all",
            description="Dense + BM25; a matching round credits every turn alike (both speakers carry evidence).",
            round_reply_weight=1.0,
        ),
        SearchConfig(
            name="hybrid_assistant_whole",
            description="Dense + BM25 over turns and rounds; an assistant's turns keep their whole score.",
            assistant_weight=1.0,
        ),
        SearchConfig(
            name="hybrid_assistant_quarter",
            description="Dense + BM25 over turns and rounds; an assistant's turns keep a quarter of their score.",
            assistant_weight=0.25,
        ),
        SearchConfig(name="hybrid_plain", description="Dense + BM25 without time awareness.", time_mode="off"),
        SearchConfig(name="hybrid_time_filter", description="Dense + BM25; time phrases filter.", time_mode="filter"),
        SearchConfig(name="hybrid_mmr", description="Dense + BM25 with MMR diversity.", mmr_lambda=0.7),
        SearchConfig(
            name="hybrid_recent",
            description="Dense + BM25, newer turns preferred.",
            recency_weight=0.2,
        ),
        SearchConfig(
            name="hybrid_forgetting",
            description="Dense + BM25; semantic memories fade unless reinforced (forgetting curve).",
            semantic_decay_weight=0.5,
        ),
    )
}
DEFAULT_RECIPE = "hybrid"


class RecipeError(ValueError):
    """A request named a recipe that does not exist, or a setting it cannot have."""


class UnknownRecipeError(RecipeError):
    """A request named a recipe that does not exist."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown search recipe {name!r}; known: {', '.join(sorted(RECIPES))}")
        self.name = name


def recipe(name: str | None) -> SearchConfig:
    """The named recipe, or the default one for ``None``.

    ``base:setting=value,...`` is the recipe ``base`` with those settings changed
    (``hybrid:short_turn_terms=12``): a variant is measured without being added to the table.
    """
    return _recipe(name or DEFAULT_RECIPE)


@lru_cache(maxsize=256)
def _recipe(key: str) -> SearchConfig:
    base_name, _, changes = key.partition(":")
    base = RECIPES.get(base_name)
    if base is None:
        raise UnknownRecipeError(base_name)
    if not changes:
        return base
    settings: dict[str, str] = {}
    for change in changes.split(","):
        setting, equals, value = change.partition("=")
        setting = setting.strip()
        if not equals or setting not in SearchConfig.model_fields or setting in ("name", "description"):
            raise RecipeError(f"search recipe {key!r}: {change!r} is not setting=value with a setting of a recipe")
        settings[setting] = value.strip()
    try:
        return SearchConfig.model_validate({**base.model_dump(), **settings, "name": key})
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise RecipeError(f"search recipe {key!r}: {problems}") from None
