"""``python -m benchmarks``: run the whole benchmark and print the table."""

from benchmarks.harness import main

raise SystemExit(main())
