from retrieval.lexical import BM25Index, term_counts
from retrieval.tokenize import tokenize


def test_tokenize_stems_and_drops_stopwords() -> None:
    assert tokenize("I'm Running to the shoe stores!") == ["run", "shoe", "store"]


def test_ranks_by_term_rarity_and_frequency() -> None:
    index = BM25Index()
    index.add([1, 2, 3], ["hiking in the alps", "hiking hiking boots", "a quiet evening with tea"])
    ranked = [doc for doc, _ in index.search("hiking boots", k=10)]
    assert ranked == [2, 1]


def test_add_replaces_and_remove_forgets() -> None:
    index = BM25Index()
    index.add([1, 2], ["red apple", "green pear"])
    index.add([1], ["yellow banana"])
    assert index.search("apple", k=5) == []
    assert [d for d, _ in index.search("banana", k=5)] == [1]
    index.remove([1, 99])
    assert index.search("banana", k=5) == []
    assert len(index) == 1


def test_allowed_ids_restrict_results_and_empty_query_returns_nothing() -> None:
    index = BM25Index()
    index.add([1, 2, 3], ["coffee beans", "coffee maker", "tea kettle"])
    assert [d for d, _ in index.search("coffee", k=5, allowed_ids={2, 3})] == [2]
    assert index.search("the and of", k=5) == []
    assert index.search("coffee", k=5, allowed_ids=set()) == []


def test_idf_follows_deletions() -> None:
    index = BM25Index()
    index.add([1, 2, 3], ["rare word", "common", "common"])
    before = dict(index.search("common", k=5))
    index.remove([3])
    after = dict(index.search("common", k=5))
    assert after[2] > before[2]  # "common" became rarer, so it weighs more


def test_searches_between_writes_see_every_write_and_deletion() -> None:
    index = BM25Index()
    index.add([1, 2], ["garden tomatoes", "garden basil"])
    assert {d for d, _ in index.search("garden", k=5)} == {1, 2}
    index.add([3], ["garden peppers"])  # arrays read by the last search grow with the new tail
    assert {d for d, _ in index.search("garden", k=5)} == {1, 2, 3}
    index.remove([2])
    index.add([4], ["garden mint"])
    assert {d for d, _ in index.search("garden", k=5)} == {1, 3, 4}
    index.add([1], ["kitchen"])  # replaced: its old postings are tombstones
    assert {d for d, _ in index.search("garden", k=5)} == {3, 4}


def test_warming_changes_no_score() -> None:
    cold, warm = BM25Index(), BM25Index()
    for index in (cold, warm):
        index.add([1, 2, 3], ["red apple pie", "green apple", "pear tart"])
    warm.warm(min_postings=1)
    assert warm.search("apple pie", k=5) == cold.search("apple pie", k=5)
    warm.add([4], ["apple crumble"])
    cold.add([4], ["apple crumble"])
    assert warm.search("apple", k=5) == cold.search("apple", k=5)


def test_documents_given_as_term_counts_score_like_their_texts() -> None:
    texts = ["red apple pie", "green apple", "pear tart with apple", "apple"]
    from_texts, from_counts = BM25Index(), BM25Index()
    from_texts.add([1, 2, 3, 4], texts)
    from_counts.add_counts([1, 2, 3, 4], [term_counts(t) for t in texts])
    assert from_counts.search("apple pie", k=5) == from_texts.search("apple pie", k=5)
    from_counts.remove([2])  # a slot already read as an array
    from_counts.add_counts([5], [term_counts("apple crumble")])
    from_counts.remove([5])  # a slot not read yet
    from_texts.remove([2])
    assert from_counts.search("apple", k=5) == from_texts.search("apple", k=5)


def test_terms_in_counts_a_documents_terms_without_stopwords() -> None:
    index = BM25Index()
    index.add([1, 2], ["Thanks for having my back!", "hiking hiking boots"])
    assert index.terms_in(1) == 2  # thank, back
    assert index.terms_in(2) == 3
    index.remove([2])
    assert index.terms_in(2) == 0
