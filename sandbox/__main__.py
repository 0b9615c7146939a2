"""``python -m sandbox``: the same command as the ``sandbox`` console script."""
from sandbox.cli import main

if __name__ == "__main__":
    main(prog_name="sandbox")
