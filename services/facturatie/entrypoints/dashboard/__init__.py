"""The finance and control dashboard: server-rendered HTML pages under /dashboard (see `routes`), their templates
(`templates/`), CSS (`static/`), Dutch formatting (`opmaak`) and chart geometry (`grafiek`)."""

from .routes import router

__all__ = ["router"]
