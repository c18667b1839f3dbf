"""The browser tests' page wrapper: a Chromium page against the live server with every request,
console error and CSP violation recorded (fixtures ``browser`` and ``visit`` in conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

from chromium import ARTIFACTS
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 30_000


class Visit:
    """A page with every request, console error and CSP violation recorded."""

    def __init__(self, browser, base: str, tmp_path: Path) -> None:
        self.base = base
        self.context = browser.new_context(
            accept_downloads=True, viewport={"width": 1400, "height": 1000}
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", self._console)
        self.tmp_path = tmp_path

    def _console(self, message) -> None:
        """Console errors, except the 4xx answers the page shows inline (a bad upload)."""
        if message.type == "error" and not re.search(r"status of 4\d\d", message.text):
            self.errors.append(message.text)

    def fsi(self) -> str:
        """The index as shown (two decimals) once the page is idle; its full value is kept in
        ``data-value``."""
        expect(self.page.locator("#fsi")).to_have_text(re.compile(r"^\d\.\d{2}$"))
        expect(self.page.locator("body")).not_to_have_attribute("data-busy", "1")
        return self.page.locator("#fsi").get_attribute("data-value")

    def link_notice(self, fragment: str) -> str:
        """Open the permalink ``#fragment``, wait for the index and return the notice of what
        the link could not carry (which must be shown)."""
        self.page.goto(f"{self.base}/#{fragment}")
        self.fsi()
        notice = self.page.locator("#link-notice")
        expect(notice).to_be_visible()
        return notice.inner_text()

    def link(self) -> dict[str, str]:
        """The permalink's settings (short keys: a, b, t, de, k, ha.<holding>, ...)."""
        return dict(parse_qsl(urlparse(self.page.url).fragment, keep_blank_values=True))

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)

    def check_local_only(self) -> None:
        """Every request went to this server (blob: downloads are this page's own)."""
        assert self.requests
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme == "blob":
                parsed = urlparse(url[len("blob:") :])
            elif parsed.scheme == "data":
                continue
            assert parsed.scheme == "http" and parsed.hostname == "127.0.0.1", url
        assert not self.errors, self.errors
