"""Contract of the VectorIndex protocol, run against every backend available here."""

from pathlib import Path

import numpy as np
import pytest

from retrieval.vector_index import (
    FaissFlatIndex,
    FaissIVFIndex,
    TorchIndex,
    VectorIndex,
    build_index,
    choose_backend,
    index_file,
    load_index,
)

BACKENDS = ["faiss-flat", "faiss-ivf", "torch"]


def unit_rows(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def seeded(backend: str, n: int, dim: int = 16) -> tuple[VectorIndex, np.ndarray]:
    vectors = unit_rows(n, dim, seed=7)
    return build_index(backend, dim, list(range(n)), vectors), vectors  # type: ignore[arg-type]


@pytest.fixture(params=BACKENDS)
def index(request: pytest.FixtureRequest) -> VectorIndex:
    """An index of each backend, trained (IVF) on data unlike the tests' so it stays general."""
    built, _ = seeded(request.param, 400)
    built.remove(list(range(400)))
    if isinstance(built, FaissIVFIndex):
        built.nprobe = built.nlist  # the contract is exactness; approximation is measured below
    return built


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


@pytest.mark.parametrize("backend", BACKENDS)
def test_save_and_load_give_identical_results(tmp_path: Path, backend: str) -> None:
    index, vectors = seeded(backend, 500)
    path = tmp_path / index_file(index.backend)
    index.save(path)
    loaded = load_index(index.backend, path)
    assert type(loaded) is type(index) and len(loaded) == 500
    assert loaded.search(vectors[3], 5) == index.search(vectors[3], 5)
    assert sorted(loaded.ids().tolist()) == list(range(500))


@pytest.mark.parametrize("backend", BACKENDS)
def test_batched_queries_equal_single_ones(backend: str) -> None:
    index, vectors = seeded(backend, 300)
    many = index.search_many(vectors[:5], 4)
    assert [[i for i, _ in hits] for hits in many] == [[i for i, _ in index.search(v, 4)] for v in vectors[:5]]


def clustered(n: int, dim: int, seed: int) -> np.ndarray:
    """Points around 100 centres, the shape real embeddings have (uniform noise has none)."""
    rng = np.random.default_rng(seed)
    centres = unit_rows(100, dim, seed=99)
    rows = centres[rng.integers(0, 100, n)] + 0.8 * rng.normal(size=(n, dim)) / np.sqrt(dim)
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_ivf_is_calibrated_to_its_target_recall_against_exact_search() -> None:
    vectors = clustered(8000, 32, seed=3)
    queries = clustered(100, 32, seed=4)
    exact = FaissFlatIndex(32)
    exact.add(list(range(8000)), vectors)
    ivf = FaissIVFIndex.build(list(range(8000)), vectors)
    truth = [{i for i, _ in hits} for hits in exact.search_many(queries, 10)]
    found = [{i for i, _ in hits} for hits in ivf.search_many(queries, 10)]
    recall = np.mean([len(t & f) / 10 for t, f in zip(truth, found, strict=True)])
    assert ivf.nprobe < ivf.nlist / 2 and recall >= 0.95


def test_filtered_ivf_search_is_exact_over_the_allowed_ids() -> None:
    index, vectors = seeded("faiss-ivf", 4000)
    allowed = set(range(0, 4000, 97))
    expected = sorted(allowed, key=lambda i: -float(vectors[i] @ vectors[5]))[:3]
    assert [i for i, _ in index.search(vectors[5], 3, allowed)] == expected


def test_torch_index_runs_fp16_only_on_cuda() -> None:
    index = TorchIndex(8)
    assert index.device == "cpu" and index._dtype.is_floating_point and index._dtype.itemsize == 4


def test_backend_choice_follows_size_and_device() -> None:
    assert choose_backend(10, "cpu") == "faiss-flat"
    assert choose_backend(60_000, "cpu") == "faiss-ivf"
    assert choose_backend(5, "cpu", ivf_threshold=5) == "faiss-ivf"
    assert choose_backend(10, "cuda") == choose_backend(10**6, "cuda:0") == "torch"
    assert isinstance(build_index("faiss-flat", 4, [], np.zeros((0, 4), np.float32)), FaissFlatIndex)
