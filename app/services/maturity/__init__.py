"""The capability self-assessment: rounds and answers (`rounds`); the results and the rest
are added beside it. The model itself is data: `app/maturity/model-vN.toml`."""
