"""The bundle's entry point: the same `switchboard` command as the installed package."""

from app.cli import main

if __name__ == "__main__":
    main()
