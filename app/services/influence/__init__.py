"""The influence report: whose input reached the specification (issue 13, item 4).

The package, by job: `sources` (the kinds of input a trace link points at, who wrote them and
who may open them: one entry per kind), `ledger` (one project's ledger as one reader may count
it), `report` (the report made from it) and `schemas` (the report's shapes). Import the
modules themselves: the metrics build on `ledger`, and the report on the metrics' figures.
"""
