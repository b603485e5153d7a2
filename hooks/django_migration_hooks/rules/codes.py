"""Every rule code, once: the rest of the package names codes through these constants."""

from __future__ import annotations

from typing import Final

# 1xx models and migrations (check-missing-migrations)
DMH101: Final = "DMH101"
DMH102: Final = "DMH102"
DMH103: Final = "DMH103"
DMH104: Final = "DMH104"
# 2xx migrations kept out of git or out of the build
DMH201: Final = "DMH201"
DMH202: Final = "DMH202"
DMH203: Final = "DMH203"
DMH204: Final = "DMH204"
DMH205: Final = "DMH205"
# 3xx deploy scripts
DMH301: Final = "DMH301"
DMH302: Final = "DMH302"
DMH303: Final = "DMH303"
# 4xx the migration graph and shipped migrations
DMH401: Final = "DMH401"
DMH402: Final = "DMH402"
DMH403: Final = "DMH403"
DMH411: Final = "DMH411"
DMH412: Final = "DMH412"
