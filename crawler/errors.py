"""The crawler's configuration error, in a module of its own so that catching it imports nothing heavy."""


class SourcesError(Exception):
    """The sources file (or a spider argument) cannot be used as it is; the message names file, source and key."""
