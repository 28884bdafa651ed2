"""The container's entry point: the supervisor (supervisor.py).

Python compiles the script it is given on every start and caches only what
it imports, so this stays a few lines and the supervisor is imported, from
the .pyc the image was built with.
"""

import sys

sys.path.insert(0, "/opt/lectern/harness")

from supervisor import run

sys.exit(run(sys.argv[1:]))
