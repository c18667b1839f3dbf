"""The web app behind ``detente serve``: JSON API, one interactive page, a sources page.

Build it with :func:`detente.web.app.create_app`.
"""
