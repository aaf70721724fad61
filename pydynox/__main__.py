"""``python -m pydynox``: the pydynox command line (see ``pydynox.cli``)."""

from pydynox.cli import main

raise SystemExit(main())
