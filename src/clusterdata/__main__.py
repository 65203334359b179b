"""`python -m clusterdata` is the `clusterdata` command."""

import sys

from clusterdata.cli import main

sys.exit(main())
