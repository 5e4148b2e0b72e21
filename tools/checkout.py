"""Where things are in a checkout of the project. Only the developer tools and the tests use this: the services
find their data through their packages and their configuration through the environment."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The demo region (Utrecht West); a deployment names its own region file with REGIO_CONFIG.
DEFAULT_REGIO = PROJECT_ROOT / "deploy" / "regio" / "utrecht-west.yaml"
