"""The local web app and SPARQL endpoint (``policykg serve``)."""

from .app import create_app

__all__ = ["create_app"]
