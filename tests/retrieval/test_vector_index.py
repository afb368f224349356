"""Contract of the VectorIndex protocol, run against every backend available here."""

from pathlib import Path

import numpy as np
import pytest

from retrieval.vector_index import FaissFlatIndex, VectorIndex

BACKENDS = [FaissFlatIndex]


def unit_rows(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture(params=BACKENDS, ids=lambda cls: cls.__name__)
def index(request: pytest.FixtureRequest) -> VectorIndex:
    backend: type[FaissFlatIndex] = request.param
    return backend(16)


def test_search_matches_brute_force(index: VectorIndex) -> None:
    vectors = unit_rows(300, 16)
    ids = list(range(1000, 1300))
    index.add(ids, vectors)
    query = unit_rows(1, 16, seed=1)[0]
    expected = np.argsort(-(vectors @ query))[:10]
    found = index.search(query, 10)
    assert [i for i, _ in found] == [ids[j] for j in expected]
    assert found[0][1] == pytest.approx(float(vectors[expected[0]] @ query), abs=1e-5)


def test_remove_and_replace_take_effect_at_once(index: VectorIndex) -> None:
    vectors = unit_rows(3, 16)
    index.add([1, 2, 3], vectors)
    index.remove([1])
    assert 1 not in [i for i, _ in index.search(vectors[0], 3)]
    index.add([2], vectors[0:1])  # replace the vector of id 2
    assert index.search(vectors[0], 1)[0][0] == 2
    assert len(index) == 2


def test_allowed_ids_filter_and_empty_filter(index: VectorIndex) -> None:
    vectors = unit_rows(50, 16)
    index.add(list(range(50)), vectors)
    found = index.search(vectors[0], 10, allowed_ids={5, 7})
    assert sorted(i for i, _ in found) == [5, 7]
    assert index.search(vectors[0], 10, allowed_ids=set()) == []


def test_save_and_load_give_identical_results(tmp_path: Path) -> None:
    index = FaissFlatIndex(16)
    vectors = unit_rows(100, 16)
    index.add(list(range(100)), vectors)
    index.save(tmp_path / "dense.faiss")
    loaded = FaissFlatIndex.load(tmp_path / "dense.faiss")
    assert loaded.search(vectors[3], 5) == index.search(vectors[3], 5)
