from shared.platform.service import main

from .app import DEFAULT_PORT, create_app

main("facturatie", DEFAULT_PORT, create_app)
