"""Pure extraction: page objects that turn a fetched page into headline links, with no I/O."""
