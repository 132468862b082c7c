"""Norwegian text as features for similarity: lower-cased words, stop words out, Snowball
stems, and character 4-grams within words (so a compound shares grams with its parts)."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from functools import lru_cache

import snowballstemmer

# Letters only (æ, ø, å and the other Latin letters Unicode knows), digits apart.
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
GRAM = 4
# A stem counts as much as this many grams: a shared word says more than a shared 4-gram.
STEM_WEIGHT = 2.0

# Function words of bokmål and nynorsk. Source: the Snowball project's Norwegian stop-word
# list (snowballstem.org/algorithms/norwegian/stop.txt, which mixes both written standards),
# cut to the words common in need texts, plus a few nynorsk forms it lacks (eg, ikkje, frå).
STOP_WORDS = frozenset(
    """
    og i jeg eg det at en ein et eit den til er som på de med han av ikke ikkje ikkje der så
    var meg seg men ett har om vi me min mitt ha hadde hun ho nå over da når før fra frå du ut
    sin dem oss opp man kan hans hvor kor eller hva kva skal selv sjøl her alle vil bli ble
    blei blitt kunne inn dette vært være vere noe noko ville deres dere kun ja etter ned skulle
    denne for deg si sine sitt mot å meget mykje hvorfor kvifor dette disse desse uten utan
    hvordan korleis ingen inga din ditt blir samme same hvilken kva kvar slik slike sånn hver
    både bare berre enn fordi også òg hjå hos mange mye lite så vår våre vårt dei dykk dykkar
    oss vi hennes hennar hans ham honom sidan siden mellom under ved vart verte vore hva
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

_stemmer_lock = threading.Lock()
_stemmer = snowballstemmer.stemmer("norwegian")


def words(text: str) -> list[str]:
    """The text's words, lower-cased, without stop words and one-letter words."""
    return [w for w in WORD.findall(text.lower()) if len(w) > 1 and w not in STOP_WORDS]


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The Snowball Norwegian stem of a lower-cased word (cached: need texts repeat words)."""
    with _stemmer_lock:  # the Snowball stemmer object keeps state between calls
        return str(_stemmer.stemWord(word))


def grams(word: str, n: int = GRAM) -> list[str]:
    """The character n-grams within a word (the whole word if it is shorter)."""
    if len(word) <= n:
        return [word]
    return [word[i : i + n] for i in range(len(word) - n + 1)]


def features(text: str) -> dict[str, float]:
    """The text's term frequencies: stems ("s:…", weighted) and the words' 4-grams ("g:…")."""
    counts: defaultdict[str, float] = defaultdict(float)
    for word in words(text):
        counts["s:" + stem(word)] += STEM_WEIGHT
        for gram in grams(word):
            counts["g:" + gram] += 1
    return dict(counts)
