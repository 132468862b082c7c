"""Search across projects, needs, published answers, proposal summaries and requirements.

`index` keeps one document per findable object in step with it, in the writing transaction;
`query` finds the documents a reader may open; `snippets` cuts the text shown under a result.
"""
