"""Worker processes' set-up that needs no worker: the model libraries kept quiet."""

from __future__ import annotations

import os

import pytest
from huggingface_hub import constants
from huggingface_hub import utils as hub_utils

from memory_service.evaluation.workers import quiet_model_loading


def test_quiet_model_loading_turns_the_bars_off_without_touching_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_PROGRESS_BARS", None)
    was_disabled = hub_utils.are_progress_bars_disabled()
    before = dict(os.environ)
    try:
        quiet_model_loading()
        assert hub_utils.are_progress_bars_disabled()
        assert dict(os.environ) == before
    finally:
        if not was_disabled:
            hub_utils.enable_progress_bars()
