"""Which files a job may read: inside the datasets folder, symlinks resolved, nothing said of the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory_service.errors import InvalidInputError, PermissionDeniedError
from memory_service.evaluation.dataset_paths import OUTSIDE, confined, resolve_dataset


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "datasets" / "lme").mkdir(parents=True)
    (tmp_path / "datasets" / "lme" / "s.json").write_text("[]")
    (tmp_path / "datasets" / "top.json").write_text("[]")
    (tmp_path / "outside.json").write_text('[{"secret": "TOP-SECRET-CONTENT"}]')
    return tmp_path / "datasets"


def test_paths_inside_the_folder_resolve(folder: Path) -> None:
    assert resolve_dataset(folder, "top.json") == (folder / "top.json").resolve()
    assert resolve_dataset(folder, "lme/s.json") == (folder / "lme" / "s.json").resolve()
    assert resolve_dataset(folder, "./lme/./s.json") == (folder / "lme" / "s.json").resolve()
    assert resolve_dataset(folder, str(folder / "top.json")) == (folder / "top.json").resolve()
    (folder / "alias.json").symlink_to(folder / "lme" / "s.json")  # a link that stays inside is fine
    assert resolve_dataset(folder, "alias.json") == (folder / "lme" / "s.json").resolve()


@pytest.mark.parametrize(
    "given",
    [
        "/etc/passwd",
        "/etc/no-such-file",
        "../outside.json",
        "../no-such-file.json",
        "lme/../top.json",  # '..' is refused even where it would stay inside
        "lme/../../outside.json",
        "OUTSIDE_ABSOLUTE",
        ".",
        "",
        "top.json\x00.txt",
    ],
)
def test_paths_leading_out_are_refused_alike(folder: Path, given: str) -> None:
    given = given.replace("OUTSIDE_ABSOLUTE", str(folder.parent / "outside.json"))
    with pytest.raises(PermissionDeniedError) as refused:
        resolve_dataset(folder, given)
    assert refused.value.message == OUTSIDE and refused.value.details is None


def test_symlinks_out_of_the_folder_are_refused_whether_or_not_their_target_exists(folder: Path) -> None:
    (folder / "leak.json").symlink_to(folder.parent / "outside.json")
    (folder / "dangling.json").symlink_to(folder.parent / "nothing-here.json")
    (folder / "etc").symlink_to("/etc")
    for given in ("leak.json", "dangling.json", "etc/passwd", "etc/no-such-file"):
        with pytest.raises(PermissionDeniedError) as refused:
            resolve_dataset(folder, given)
        assert refused.value.message == OUTSIDE, given


def test_a_missing_file_inside_is_a_422_naming_only_what_was_asked(folder: Path) -> None:
    with pytest.raises(InvalidInputError, match="no dataset 'lme/m.json'") as missing:
        resolve_dataset(folder, "lme/m.json")
    assert missing.value.details == {"dataset_path": "lme/m.json"}
    with pytest.raises(InvalidInputError):
        resolve_dataset(folder, "lme")  # a folder is not a dataset


def test_a_symlink_loop_is_refused(folder: Path) -> None:
    (folder / "loop").symlink_to(folder / "loop")
    with pytest.raises((InvalidInputError, PermissionDeniedError)):
        resolve_dataset(folder, "loop")


def test_confined_checks_again_at_open_time(folder: Path) -> None:
    link = folder / "later.json"
    link.symlink_to(folder / "top.json")
    assert confined(folder, link) == (folder / "top.json").resolve()
    link.unlink()
    link.symlink_to(folder.parent / "outside.json")  # swapped after the submission
    with pytest.raises(PermissionDeniedError):
        confined(folder, link)
