"""Every question of the syllabus's "Questions learners ask" is findable with the site's search.

For each question a learner might type its key words into the search box. Two checks:

* without a browser, the built ``searchindex.js`` is searched the way Sphinx's
  ``searchtools.js`` does it (lower-case, drop stop words, Porter-stem, and a page matches
  when every remaining term is among its words or title words): the questions page must
  match, and its heading for the question must be in the index's titles;
* in Chromium, ``search.html?q=<key words>`` is run by the site's own search code, and the
  questions page must be among the first results.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote_plus, urlparse

import pytest

QUESTIONS_DOC = "book/10-questions"
QUESTIONS_PAGE = QUESTIONS_DOC + ".html"
TOP = 5  # the questions page must be among the first results of the browser search

# (the question's heading on the questions page, the key words a learner would type)
QUESTIONS = [
    (
        'How does gradient descent work in a neural network? What is "the gradient"?',
        "how does gradient descent work in a neural network",
    ),
    (
        "How is gradient descent used in deep learning, and why is it so important?",
        "why is gradient descent important in deep learning",
    ),
    (
        "How does gradient descent relate to backpropagation; what is the difference?",
        "difference between backpropagation and gradient descent",
    ),
    ("What are the steps of the algorithm, in order?", "steps of the algorithm in order"),
    (
        "Which algorithms use gradient descent (linear regression, logistic regression)?",
        "which algorithms use gradient descent",
    ),
    (
        "How does it find the best-fit line in linear regression?",
        "best-fit line linear regression",
    ),
    (
        "What is stochastic gradient descent; how does it differ from batch gradient descent; "
        "which variant is fastest?",
        "stochastic gradient descent batch fastest",
    ),
    (
        "Does gradient descent always converge? To the global minimum? When not?",
        "does gradient descent always converge global minimum",
    ),
    (
        "Can it converge to a point of zero gradient; what does that mean?",
        "converge point of zero gradient",
    ),
    ("Is gradient descent a greedy algorithm? Is it a heuristic?", "greedy heuristic"),
    (
        "Is gradient descent a loss function? How do cost function and gradient descent differ?",
        "cost function loss function gradient descent differ",
    ),
    (
        "What is the Adam optimizer, and how does it relate to AdaGrad and RMSProp?",
        "adam optimizer adagrad rmsprop",
    ),
    (
        "Why does a steeper slope mean faster learning, and what happens when the slope is zero?",
        "steeper slope faster learning",
    ),
]


# ---------------------------------------------------------------- Sphinx's search, in Python


def load_index(built_site: Path) -> dict:
    """The object passed to ``Search.setIndex(...)`` in the built ``searchindex.js``."""
    text = (built_site / "searchindex.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"\s*Search\.setIndex\((.*)\)\s*;?\s*", text, re.S)
    assert match, "searchindex.js does not have the form Search.setIndex({...})"
    return json.loads(match.group(1))


def straight_quotes(text: str) -> str:
    """Undo the typographic quotes Sphinx puts in titles ("smartquotes")."""
    return text.translate(
        str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
    )


def query_terms(query: str) -> list[str]:
    """The search terms of ``query`` as searchtools.js makes them: split, drop stop words, stem."""
    from sphinx.search.en import SearchEnglish

    lang = SearchEnglish({})
    words = [w for w in re.split(r"[^\w]+", query) if w]  # splitQuery: non-word characters
    terms = []
    for word in words:
        low = word.lower()
        if low in lang.stopwords or low.isdigit():
            continue
        terms.append(lang.stem(low))
    return terms


def docs_with(index: dict, term: str) -> set[int]:
    """Indices of the documents that hold ``term`` among their words or title words."""
    found: set[int] = set()
    for table in ("terms", "titleterms"):
        hit = index[table].get(term)
        if hit is None:
            continue
        found |= {hit} if isinstance(hit, int) else set(hit)
    return found


def matching_docs(index: dict, query: str) -> set[str]:
    """Documents matching every term of ``query`` (searchtools.js's rule for a full-text hit)."""
    terms = query_terms(query)
    assert terms, f"query {query!r} has no search terms left after dropping stop words"
    docs = set(range(len(index["docnames"])))
    for term in terms:
        docs &= docs_with(index, term)
    return {index["docnames"][i] for i in docs}


@pytest.mark.parametrize(("heading", "query"), QUESTIONS, ids=[q for _, q in QUESTIONS])
def test_questions_page_matches_the_key_words(built_site: Path, heading: str, query: str):
    index = load_index(built_site)
    assert QUESTIONS_DOC in matching_docs(index, query), (
        f"searching {query!r} (terms {query_terms(query)}) does not find {QUESTIONS_DOC}"
    )


@pytest.mark.parametrize(("heading", "query"), QUESTIONS, ids=[q for _, q in QUESTIONS])
def test_each_question_is_a_heading_of_the_questions_page(
    built_site: Path, heading: str, query: str
):
    index = load_index(built_site)
    doc = index["docnames"].index(QUESTIONS_DOC)
    titles = {straight_quotes(t): entries for t, entries in index["alltitles"].items()}
    assert heading in titles, f"no section titled {heading!r} in the search index"
    assert any(entry[0] == doc for entry in titles[heading]), (
        f"the section {heading!r} is not on {QUESTIONS_DOC}"
    )


def test_a_nonsense_query_finds_nothing(built_site: Path):
    """The simulated search is selective: it does not match every page to every query."""
    index = load_index(built_site)
    assert matching_docs(index, "gradient zyzzyvaquux") == set()
    assert QUESTIONS_DOC not in matching_docs(index, "himmelblau beale rosenbrock zyzzyva")


# ---------------------------------------------------------------- the real search, in Chromium

SEARCH_DONE = """() => {
  const s = document.querySelector('#search-results .search-summary');
  return s !== null && /Search finished|did not match/.test(s.innerText);
}"""


@pytest.mark.browser
@pytest.mark.parametrize(("heading", "query"), QUESTIONS, ids=[q for _, q in QUESTIONS])
def test_site_search_finds_the_questions_page(site_page, heading: str, query: str):
    run = site_page("search.html?q=" + quote_plus(query))
    page = run.page
    page.wait_for_function(SEARCH_DONE, timeout=30_000)
    hrefs = page.eval_on_selector_all(
        "#search-results ul.search li > a", "els => els.map(e => e.getAttribute('href'))"
    )
    paths = [urlparse(h).path.lstrip("./") for h in hrefs]
    assert QUESTIONS_PAGE in paths, f"searching {query!r} gave {paths[:10]}"
    rank = paths.index(QUESTIONS_PAGE)
    assert rank < TOP, f"searching {query!r}: the questions page is result {rank + 1}: {paths[:10]}"
    assert run.external == [] and run.errors == []
