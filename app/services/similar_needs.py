"""Similar needs: the needs of a project closest to a text someone is typing (issue 13)."""

DEFAULT_THRESHOLD = 0.2
