"""The capability (maturity) model for innovative procurement, kept as versioned data files."""
