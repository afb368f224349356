"""Contract of the VectorIndex protocol, run against every backend available here (and the FAISS
ones at each precision)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.torch_index import TorchIndex
from retrieval.vector_index import (
    IVF_PROBE_MARGIN,
    POOLED_PROBE_MARGIN,
    FaissFlatIndex,
    FaissIVFIndex,
    Precision,
    VectorIndex,
    build_index,
    choose_backend,
    index_file,
    index_precision,
    load_index,
)

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ["faiss-flat", "faiss-ivf", "torch", "faiss-flat-fp16", "faiss-ivf-fp16"]
"""Backends, a ``-fp16`` suffix asking for that precision."""
SCORE_TOLERANCE = {"fp32": 1e-5, "fp16": 2e-3}
"""How far a score may be from the fp32 inner product: fp16 keeps ~3 significant digits per value."""


def unit_rows(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def build(backend: str, dim: int, ids: list[int], vectors: np.ndarray) -> VectorIndex:
    name, _, precision = backend.partition("-fp")
    return build_index(name, dim, ids, vectors, precision=f"fp{precision or 32}")  # type: ignore[arg-type]


def seeded(backend: str, n: int, dim: int = 16) -> tuple[VectorIndex, np.ndarray]:
    vectors = unit_rows(n, dim, seed=7)
    return build(backend, dim, list(range(n)), vectors), vectors


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
    assert found[0][1] == pytest.approx(float(vectors[expected[0]] @ query), abs=SCORE_TOLERANCE[index.precision])
    assert np.allclose(index.vectors([1000, 1299]), vectors[[0, 299]], atol=SCORE_TOLERANCE[index.precision])


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
    assert loaded.precision == index.precision
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


def test_the_probe_margin_multiplies_the_calibrated_cells() -> None:
    vectors = clustered(8000, 32, seed=3)
    ids = list(range(8000))
    pooled = FaissIVFIndex.build(ids, vectors, margin=POOLED_PROBE_MARGIN)
    turns = FaissIVFIndex.build(ids, vectors, margin=IVF_PROBE_MARGIN)
    assert POOLED_PROBE_MARGIN < IVF_PROBE_MARGIN
    assert turns.nprobe == min(turns.nlist, pooled.nprobe * IVF_PROBE_MARGIN // POOLED_PROBE_MARGIN)


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


@pytest.mark.parametrize("backend", ["faiss-flat", "faiss-ivf"])
def test_fp16_keeps_recall_against_exact_fp32_at_half_the_file(tmp_path: Path, backend: str) -> None:
    vectors = unit_rows(600, 64, seed=5)
    queries = unit_rows(50, 64, seed=6)
    ids = list(range(600))
    exact = FaissFlatIndex(64)
    exact.add(ids, vectors)
    truth = [{i for i, _ in hits} for hits in exact.search_many(queries, 10)]
    sizes = {}
    for precision in ("fp32", "fp16"):
        index = build_index(backend, 64, ids, vectors, precision=precision)  # type: ignore[arg-type]
        assert index.precision == precision
        if isinstance(index, FaissIVFIndex):
            index.nprobe = index.nlist  # measure the codes, not the cells
        found = [{i for i, _ in hits} for hits in index.search_many(queries, 10)]
        assert np.mean([len(t & f) / 10 for t, f in zip(truth, found, strict=True)]) >= 0.95
        index.save(tmp_path / precision)
        sizes[precision] = (tmp_path / precision).stat().st_size
    assert 0.45 < sizes["fp16"] / sizes["fp32"] < 0.6


@pytest.mark.parametrize("precision", ["fp32", "fp16"])
def test_promotion_to_ivf_keeps_the_precision_and_the_vectors(precision: Precision) -> None:
    vectors = unit_rows(800, 16, seed=8)
    flat = FaissFlatIndex(16, precision=precision)
    flat.add(list(range(800)), vectors)
    ivf = FaissIVFIndex.build(flat.ids().tolist(), flat.all_vectors(), precision=precision)
    assert ivf.precision == precision
    assert np.array_equal(ivf.vectors([3, 799]), flat.vectors([3, 799]))


def test_precision_of_each_backend() -> None:
    assert index_precision("faiss-flat", "cpu", "fp16") == index_precision("faiss-ivf", "cpu", "fp16") == "fp16"
    assert index_precision("torch", "cpu", "fp16") == "fp32"
    assert index_precision("torch", "cuda:0", "fp32") == "fp16"
    assert build_index("torch", 4, [], np.zeros((0, 4), np.float32), precision="fp16").precision == "fp32"


def test_importing_the_indexes_leaves_faiss_threads_alone_and_an_index_takes_one() -> None:
    """One OpenMP thread is the index's choice (see ``_one_openmp_thread``), made when it is built."""
    probe = (
        "import faiss; before = faiss.omp_get_max_threads(); import retrieval.vector_index as v; "
        "assert faiss.omp_get_max_threads() == before == 2, before; v.FaissFlatIndex(4); "
        "assert faiss.omp_get_max_threads() == 1"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "2"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
