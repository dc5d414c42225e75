"""The headlines application: command line, export, demo and the glue between crawler and classifier."""
