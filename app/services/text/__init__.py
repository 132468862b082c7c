"""Norwegian text for similarity: normalisation (`normalise`) and TF-IDF cosine (`similarity`).

Everything runs offline in Python: a Snowball stemmer (PyPI `snowballstemmer`, pure Python,
no model download) and character n-grams, so that bokmål and nynorsk inflections and compound
words ("hjemmetjenesten" / "tjenester i hjemmet") meet.
"""
