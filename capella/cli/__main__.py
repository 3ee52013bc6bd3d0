"""``python -m capella.cli``: the same as the ``capella`` console script."""

from capella.cli import main

if __name__ == "__main__":
    main()
