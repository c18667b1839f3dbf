"""The one Chromium every browser test drives: Debian's, headless, no network of its own."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Screenshots kept as test artifacts.
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class OfflinePages:
    """Pages of one fresh browser context that may load ``file://`` URLs only: any other
    request is aborted and recorded (``requested``), and so is every uncaught page error
    (``errors``). :meth:`check` asserts there were none (fixture ``offline_pages``)."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context()
        self.requested: list[str] = []
        self.errors: list[str] = []

    def new_page(self, width: int = 1280, height: int = 900):
        """A page of ``width`` x ``height`` CSS pixels."""
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.route("**/*", self._route)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.requested.append(route.request.url)
            route.abort()

    def check(self) -> None:
        """Nothing was fetched from the network and no script failed."""
        assert self.requested == [], "nothing is fetched from the network"
        assert self.errors == []
