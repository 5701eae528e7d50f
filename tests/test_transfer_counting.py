"""Distinct individuals from keyed digests (pure: the register is tested elsewhere)."""

from __future__ import annotations

from pathlib import Path

from complydesk.transfer.counting import SubjectHasher, SubjectIndex, YearRegister

KEY = b"k" * 32


def test_formatting_variants_of_one_identifier_share_a_digest() -> None:
    hasher = SubjectHasher(KEY)
    phones = [
        "13812345678",
        "+86 138-1234-5678",
        "8613812345678",
        "１３８１２３４５６７８",
    ]
    assert len({hasher.digest("PHONE", p) for p in phones}) == 1
    assert hasher.digest("EMAIL", "Zhang.Wei@Example.com") == hasher.digest(
        "EMAIL", "zhang.wei@example.com"
    )
    assert hasher.digest("CN_ID_CARD", "11010119900307457x") == hasher.digest(
        "CN_ID_CARD", "110101 19900307 457X"
    )


def test_digests_depend_on_the_key_and_the_label_and_skip_non_identifiers() -> None:
    one, two = SubjectHasher(KEY), SubjectHasher(b"j" * 32)
    assert one.digest("PHONE", "13812345678") != two.digest("PHONE", "13812345678")
    assert one.digest("PASSPORT", "E12345678") != one.digest("CN_ID_CARD", "E12345678")
    assert one.digest("PERSON", "张伟") is None
    assert one.digest("PHONE", "not a phone") is None
    restored = SubjectHasher.from_material(one.key_material)
    assert restored.digest("EMAIL", "a@example.com") == one.digest(
        "EMAIL", "a@example.com"
    )


def test_records_sharing_an_identifier_are_one_individual(tmp_path: Path) -> None:
    index = SubjectIndex("cn", 2026, tmp_path)
    index.add([1, 2], sensitive=False)  # phone 1, e-mail 2
    index.add([2], sensitive=True)  # the same person, now with an ID number
    index.add([3], sensitive=False)
    index.add([], sensitive=False)  # personal data but no identifier
    index.add([], sensitive=True)
    counts = index.counts(YearRegister("cn", 2026, individuals=10, sensitive=4))
    assert counts.records == 5
    assert (counts.individuals, counts.sensitive) == (4, 2)
    assert (counts.new_individuals, counts.new_sensitive) == (4, 2)
    assert (counts.projected_individuals, counts.projected_sensitive) == (14, 6)
    index.close()
    assert list(tmp_path.iterdir()) == []  # the temporary map is gone


def test_linking_holds_across_flushes_of_the_temporary_map() -> None:
    with SubjectIndex("cn", 2026) as index:
        index.FLUSH = 3
        for person in range(10):
            index.add([person, 1000 + person], sensitive=person == 4)
        for person in range(10):  # the same people again, by e-mail only
            index.add([1000 + person], sensitive=person == 7)
        counts = index.counts(YearRegister("cn", 2026))
    assert (counts.records, counts.individuals, counts.sensitive) == (20, 10, 2)


def test_a_record_linking_two_known_individuals_never_merges_them() -> None:
    with SubjectIndex("cn", 2026) as index:
        index.add([1], sensitive=False)
        index.add([2], sensitive=False)
        index.add([1, 2], sensitive=False)  # counted conservatively: still two
        index.add([2**64 - 1], sensitive=False)  # digests are unsigned 64-bit
        assert index.counts(YearRegister("cn", 2026)).individuals == 3


def test_digests_go_through_the_vault_blind_index() -> None:
    """A file's plain value and a database's `*_bidx` give the same digest."""
    from complydesk.store.personal import BlindKind
    from complydesk.vault.blind import BlindIndexer

    hasher, vault = SubjectHasher(KEY), BlindIndexer(KEY)
    for label, kind, value in [
        ("PHONE", BlindKind.PHONE, "+86 138-1234-5678"),
        ("EMAIL", BlindKind.EMAIL, "Zhang.Wei@Example.com"),
        ("CN_ID_CARD", BlindKind.ID_NUMBER, "110101199003074578"),
    ]:
        index = vault.index(kind, value)
        assert hasher.blind_index(label, value) == index
        assert hasher.from_index(label, index) == hasher.digest(label, value)
    assert hasher.from_index("PHONE", "not an index") is None
    assert hasher.from_index("PERSON", "0123456789abcdef") is None
    assert hasher.of_subject("k-1") == SubjectHasher(KEY).of_subject("k-1")
