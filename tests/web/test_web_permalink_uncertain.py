"""The permalink carries a loaded file's uncertain inputs, Monte Carlo samples and seed, and the
history panel's choices, in Debian's Chromium against the real server: a file with
distributions reloads from its link with the same distributions and the same Monte Carlo band;
a link with broken ones loads what is valid and says what it dropped."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
import yaml
from browser_visit import ROOT
from chromium import CHROMIUM
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent"),
]

EXAMPLE = ROOT / "examples" / "new-start-expiry.yaml"
#: The sweep chart's band: its traces' names and values as drawn (``_fullData``: the figure's
#: arrays decoded from plotly's base64).
BAND = """() => document.getElementById('sweep-plot')._fullData
    .filter((t) => /percentile/.test(t.name) || t.name === 'index p05')
    .map((t) => [t.name, Array.from(t.y)])"""


def _band(visit, uncertain: int) -> list:
    page = visit.page
    page.locator("#sweep-input").select_option("parameters.de")
    page.locator("#sweep-draw").click()
    expect(page.locator("#sweep-status")).to_contain_text(
        f"band from {uncertain} uncertain inputs", timeout=60_000
    )
    band = page.evaluate(BAND)
    assert len(band) == 2 and all(len(y) == 11 for _, y in band), band
    (_, low), (_, high) = band
    assert all(0 <= a <= b <= 1 for a, b in zip(low, high, strict=True)), band
    assert any(a < b for a, b in zip(low, high, strict=True)), "a band, not a line"
    return band


def _saved(visit, name: str) -> dict:
    with visit.page.expect_download() as info:
        visit.page.locator("#download").click()
    path = visit.tmp_path / name
    info.value.save_as(path)
    return yaml.safe_load(path.read_text())


def test_a_loaded_files_uncertainty_survives_its_permalink(visit):
    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    page.locator("#upload").set_input_files(str(EXAMPLE))
    expect(page.locator("#description")).to_contain_text("new-start-expiry")
    visit.fsi()
    data = yaml.safe_load(EXAMPLE.read_text())
    link = visit.link()
    assert {k[2:] for k in link if k.startswith("u.")} == set(data["uncertain"])
    assert link["u.parameters.de"] == "triangular~low0.5~mode0.8~high0.95~source:" + ",".join(
        data["uncertain"]["parameters.de"]["source"]
    )
    assert (link["mc"], link["seed"]) == (str(data["samples"]), str(data["seed"]))
    n = len(data["uncertain"]) - 1  # the swept input is not part of the band
    before = _band(visit, n)
    url = page.url
    page.goto("about:blank")
    page.goto(url)  # a fresh load of the permalink
    visit.fsi()
    expect(page.locator("#link-notice")).to_be_hidden()
    assert _band(visit, n) == before
    saved = _saved(visit, "reloaded.yaml")
    kept = {
        path: {k: v for k, v in dist.items() if k != "note"}  # a link holds no notes
        for path, dist in data["uncertain"].items()
    }
    assert saved["uncertain"] == kept
    assert (saved["samples"], saved["seed"]) == (data["samples"], data["seed"])


def test_a_link_with_broken_uncertain_inputs_keeps_the_valid_ones_and_says_so(visit):
    page = visit.page
    fragment = urlencode(
        {
            "a": "us-2025",
            "b": "ru-2025",
            "t": "new-start",
            "u.parameters.assured_destruction_emt": "triangular~low200~mode400~high800",
            "u.parameters.de": "triangular~low0.5~high0.9",  # no mode: the page drops it
            "u.parameters.zz": "uniform~low0.1~high0.2",  # not a parameter: the server says
            "u.parameters.alpha": "uniform~low0.9~high0.5",  # low above high: the server says
            "u.parameters.avail": "gamma~k2",  # not a family
            "mc": "0",
            "seed": "-1",
        }
    )
    text = visit.link_notice(fragment)
    for what in (
        "uncertain input parameters.de",
        "uncertain input parameters.zz",
        "uncertain input parameters.alpha",
        "uncertain input parameters.avail",
        'Monte Carlo samples "0"',
        'seed "-1"',
    ):
        assert what in text, (what, text)
    link = visit.link()
    assert [k for k in link if k.startswith("u.")] == ["u.parameters.assured_destruction_emt"]
    assert "mc" not in link and "seed" not in link
    page.locator("#sweep-input").select_option("parameters.de")
    page.locator("#sweep-draw").click()
    expect(page.locator("#sweep-status")).to_contain_text(
        re.compile(r"band from 1 uncertain inputs"), timeout=60_000
    )


def test_the_history_panels_choices_are_in_the_permalink(visit):
    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    assert not [k for k in visit.link() if k.startswith("y.")]  # the served choices: no keys
    page.locator("#history-panel summary").click()
    page.locator('#history-form select[name="quantity"]').select_option("deployed_strategic")
    page.locator('#history-form select[name="producer"]').select_option("FAS")
    link = visit.link()
    assert (link["y.quantity"], link["y.producer"]) == ("deployed_strategic", "FAS")
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    visit.fsi()
    form = page.locator("#history-form")
    assert form.locator('select[name="quantity"]').input_value() == "deployed_strategic"
    assert form.locator('select[name="producer"]').input_value() == "FAS"
    page.goto(f"{visit.base}/#y.quantity=warheads_on_mars")
    visit.fsi()
    expect(page.locator("#link-notice")).to_contain_text("quantity=warheads_on_mars")
