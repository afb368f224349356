"""``/metrics`` reports what the service holds: index sizes, loaded partitions, queue depth, batch sizes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from memory_service.api.app import create_app
from memory_service.runtime import Runtime


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def test_metrics_after_a_write_and_a_search(runtime: Runtime, user_id: str) -> None:
    runtime.extraction.close()  # the queued task stays pending, so the queue's depth is known
    with TestClient(create_app(runtime=runtime)) as client:
        before = scrape(client)
        assert before[("memory_index_vectors", ())] == 0
        assert before[("memory_extraction_tasks", (("status", "pending"),))] == 0
        messages = [{"role": "user", "content": f"I moved to Lisbon in 2024, note {n}."} for n in range(3)]
        written = client.post(
            "/v1/sessions/s1/messages", json={"user_id": user_id, "messages": messages, "infer": True}
        )
        assert written.status_code == 201
        found = client.post("/v1/search", json={"user_id": user_id, "query": "where do I live?"})
        assert found.status_code == 200 and found.json()["results"]
        after = scrape(client)
    assert after[("memory_index_vectors", ())] == 3
    assert after[("memory_loaded_partitions", (("layer", "episodic"),))] == 1
    assert after[("memory_cached_partitions", ())] >= 1
    assert after[("memory_extraction_tasks", (("status", "pending"),))] == 1
    assert after[("memory_extraction_tasks", (("status", "failed"),))] == 0
    assert after[("memory_embedding_batch_size_count", (("path", "query"),))] >= 1
    assert after[("memory_embedding_batch_size_sum", (("path", "query"),))] >= 1
    # The three messages were embedded in one pass of the write batcher.
    assert after[("memory_embedding_batch_size_count", (("path", "write"),))] >= 1
    assert after[("memory_embedding_batch_size_sum", (("path", "write"),))] >= 3
    assert after[("memory_http_request_seconds_count", (("method", "POST"), ("route", "/v1/search")))] == 1
