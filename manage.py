#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zonehr.settings")
    # The command line of a checkout is a developer's. Production says DEBUG=false itself
    # (docker-compose.yml), and the web and worker processes never assume development.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
