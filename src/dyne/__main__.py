"""Run the ``dyne`` command as ``python -m dyne``."""

from dyne.cli import main

if __name__ == "__main__":
    main()
