"""The error of bad input: one line naming the source (file or option), the key and what is allowed. Defined
below every other module (``sim.params`` re-exports it) so that the readers of input can raise it too."""


class ConfigError(ValueError):
    """Bad input: one line naming the source (file or --set), the key and what is allowed."""
