"""Near-identical titles: the fast search of a large year finds exactly the pairs that comparing every pair finds."""

from __future__ import annotations

import re
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from livingreview import validate
from livingreview.validate import _similar_in_large_group, _similar_in_small_group

# A small alphabet and edits of one to a few characters make near-identical pairs common, and close misses too.
WORDS = st.text(alphabet="abcde ", min_size=1, max_size=60).map(str.strip).filter(bool)


@st.composite
def titles_with_near_copies(draw: st.DrawFn) -> list[str]:
    titles = draw(st.lists(WORDS, min_size=1, max_size=25))
    for title in list(titles):
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(0, len(title)))
            cut = draw(st.integers(0, 3))
            added = draw(st.text(alphabet="abcdeé ", max_size=3))
            titles.append(title[:at] + added + title[at + cut:])
    return [title for title in titles if title]


def all_pairs(asked: list[str], titles: list[str]) -> set[tuple[int, int]]:
    """The definition: every pair compared."""
    return {(i, j) for i, title in enumerate(asked) for j, other in enumerate(titles)
            if fuzz.ratio(title, other, score_cutoff=validate.TITLE_SIMILARITY)}


@settings(max_examples=300, deadline=None)
@given(titles=titles_with_near_copies(), data=st.data())
def test_the_search_of_a_small_year_finds_the_pairs_every_comparison_finds(titles, data):
    asked = data.draw(st.lists(st.sampled_from(titles), max_size=len(titles)))
    assert set(_similar_in_small_group(asked, titles)) == all_pairs(asked, titles)


def test_titles_whose_characters_differ_too_much_are_not_compared():
    titles = ["peer support workers in recovery services", "a qualitative study of family caregivers",
              "peer workers in mental health services", "peer workers in mental health services."]
    with mock.patch.object(validate, "_ratio", wraps=validate._ratio) as ratio:
        assert set(_similar_in_small_group(titles, titles)) == {(0, 0), (1, 1), (2, 2), (3, 3), (2, 3), (3, 2)}
    compared = {frozenset(call.args) for call in ratio.call_args_list}
    assert compared == {frozenset(titles[2:])}  # a title is its own copy without being compared


@settings(max_examples=300, deadline=None)
@given(titles=titles_with_near_copies(), block=st.integers(1, 300), data=st.data())
def test_the_fast_search_finds_the_pairs_every_comparison_finds(titles, block, data):
    asked = data.draw(st.lists(st.sampled_from(titles), max_size=len(titles)))
    with mock.patch.object(validate, "_BLOCK", block):  # small blocks: pairs across blocks' edges too
        assert set(_similar_in_large_group(asked, titles)) == all_pairs(asked, titles)


@settings(max_examples=300, deadline=None)
@given(titles=titles_with_near_copies(), block=st.integers(1, 300))
def test_the_fast_search_of_every_title_against_every_title_finds_the_pairs_every_comparison_finds(titles, block):
    # A first run asks about every title: each pair is then checked from one side only, and given both ways.
    with mock.patch.object(validate, "_BLOCK", block):
        assert set(_similar_in_large_group(titles, titles)) == all_pairs(titles, titles)


def test_known_pairs_are_found_and_others_are_not():
    titles = ["peer workers in mental health services a qualitative study",
              "peer workers in mental health services a qualitative study ",  # one space more
              "peer workers in mental health services: a qualitative study",  # a colon more
              "peer workers in substance use services a qualitative study",
              "co production with peer workers"]
    found = set(_similar_in_large_group(titles, titles))
    assert {(0, 1), (0, 2), (1, 2)} <= found
    assert not {pair for pair in found if 3 in pair or 4 in pair} - {(3, 3), (4, 4)}


def test_titles_longer_than_the_block_and_in_other_scripts_are_compared():
    long = "ø" * 40000
    titles = [long, long + "ø", "ø" * 30000, "παρέμβαση ομοτίμων", "παρέμβαση ομοτίμων."]
    assert set(_similar_in_large_group(titles, titles)) == all_pairs(titles, titles)


def test_a_normalised_title_keeps_words_of_every_script_and_drops_case_and_punctuation():
    assert validate.normalise_title("  Peer-Workers' ROLE_in co–production!? ") == "peer workers role in co production"
    assert validate.normalise_title("Straße: Begleiter*innen (2024)") == "strasse begleiter innen 2024"
    assert validate.normalise_title("Вовлечение — пациентов") == "вовлечение пациентов"
    assert validate.normalise_title("?!_ -") == ""


# The definition: every run of characters that are not letters or digits (underscore included) is one space.
@settings(max_examples=500, deadline=None)
@given(title=st.text(alphabet=st.characters(codec="utf-8")) | st.text(alphabet=st.characters(max_codepoint=127)))
def test_a_normalised_title_is_its_words_joined_by_single_spaces(title):
    assert validate.normalise_title.__wrapped__(title) == re.sub(r"[\W_]+", " ", title.casefold()).strip()
