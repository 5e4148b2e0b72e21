from shared.platform.service import main

from .bootstrap import DEFAULT_PORT, create_app

main("facturatie", DEFAULT_PORT, create_app)
