"""The page's fields take what the API takes, and a figure nobody knows stays unknown (issue 11).

In Debian's Chromium against the live server: the risk panel's seed field, its permalink key and
``/api/risk`` all take every seed from 0 to 2^128 - 1 (the bound of ``detente.model.limits``)
and refuse 2^128; a holding whose loading is null (us-2020-09-01's bombers) shows an empty field
with a note instead of 0, the index waits for it, and the null survives the permalink.
"""

from __future__ import annotations

import json

import httpx
import pytest
from chromium import CHROMIUM
from playwright.sync_api import expect

from detente.model.limits import MAX_SEED

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent"),
]


def test_the_api_takes_every_128_bit_seed_and_refuses_2_to_the_128(live_server):
    ok = httpx.post(f"{live_server}/api/risk", json={"samples": 50, "seed": MAX_SEED}, timeout=60)
    assert ok.status_code == 200 and ok.json()["seed"] == MAX_SEED
    bad = httpx.post(f"{live_server}/api/risk", json={"samples": 50, "seed": MAX_SEED + 1})
    assert bad.status_code == 422 and bad.json()["field"] == "seed"


def test_the_seed_field_and_its_link_take_what_the_api_takes(visit):
    page = visit.page
    page.goto(f"{visit.base}/#r.seed={MAX_SEED}&r.samples=50")
    seed = page.locator("#risk-form input[name=seed]")
    expect(seed).to_have_value(str(MAX_SEED))
    assert seed.evaluate("e => e.validity.valid")
    assert "seed" not in page.locator("#link-notice").inner_text()
    page.locator("#verify-panel summary").click()
    with page.expect_request("**/api/risk") as sent:
        page.locator("#risk-form button[type=submit]").click()
    # The exact digits go out (a JavaScript number would round them to 3.402823669209385e38).
    assert f'"seed":{MAX_SEED}' in sent.value.post_data
    expect(page.locator("#risk-results")).to_contain_text(f"seed {MAX_SEED}")
    assert json.loads(sent.value.post_data)["seed"] == MAX_SEED

    seed.fill(str(MAX_SEED + 1))
    assert not seed.evaluate("e => e.validity.valid")
    assert "2^128" in seed.get_attribute("title")

    page.goto(f"{visit.base}/#r.seed={MAX_SEED + 1}")
    page.reload()
    expect(page.locator("#link-notice")).to_contain_text("seed")
    expect(page.locator("#risk-form input[name=seed]")).to_have_value("0")


def _loading(page, key: str):
    return page.locator(f'fieldset.side[data-side="0"] tr[data-key="{key}"] input.loading')


def test_an_unknown_loading_is_empty_never_zero_and_stays_null_through_the_link(visit):
    page = visit.page
    page.goto(f"{visit.base}/#a=us-2020-09-01&b=ru-2025")
    for key in ("b-2a", "b-52h"):
        field = _loading(page, key)
        expect(field).to_have_value("")
        assert field.get_attribute("placeholder") == "not known"
        row = page.locator(f'fieldset.side[data-side="0"] tr[data-key="{key}"]')
        expect(row.locator(".unknown-note")).to_contain_text("not known; needed for")
    expect(page.locator("#error")).to_contain_text("cannot be computed")
    expect(page.locator("#error")).to_contain_text("B-2A Spirit")
    assert not any(k.startswith("ha.b-") for k in visit.link())

    _loading(page, "b-2a").fill("16")
    _loading(page, "b-52h").fill("20")
    fsi = float(visit.fsi())
    assert visit.link()["ha.b-2a"] == "l16" and visit.link()["ha.b-52h"] == "l20"
    state = {
        "scenario": {
            "name": "web",
            "parties": [
                {
                    "force": "us-2020-09-01",
                    "modifications": {
                        "holdings": {"b-2a": {"loading": 16}, "b-52h": {"loading": 20}}
                    },
                },
                {"force": "ru-2025"},
            ],
        }
    }
    answer = httpx.post(f"{visit.base}/api/explore", json=state, timeout=60).json()
    assert fsi == answer["stability"]["fsi"]

    url = page.url
    page.goto(visit.base + "/")
    page.goto(url)
    page.reload()
    expect(_loading(page, "b-2a")).to_have_value("16")
    _loading(page, "b-52h").fill("")
    expect(page.locator("#error")).to_contain_text("cannot be computed")
    assert "ha.b-52h" not in visit.link() and visit.link()["ha.b-2a"] == "l16"
    page.reload()
    expect(_loading(page, "b-52h")).to_have_value("")
    expect(_loading(page, "b-2a")).to_have_value("16")
