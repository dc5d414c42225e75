"""`python -m headlines` runs the command line, as the scheduler and the tests do in child processes."""

from headlines.cli import main

if __name__ == "__main__":
    main(prog_name="headlines")
