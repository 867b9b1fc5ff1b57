"""``python -m monitor`` is the ``newsmon`` command."""

from monitor.cli import main

if __name__ == "__main__":
    main()
