"""``python -m exercises.grader SET PATH --out DIR``."""

import sys

from exercises.grader.cli import main

sys.exit(main())
