"""Shared test set-up: hypothesis profiles.

No per-example deadline anywhere (timing is for `make bench`, not for tests). On CI (CI=true) hypothesis is
derandomized, so a CI run is reproducible; locally it explores new examples on every run.
"""

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
