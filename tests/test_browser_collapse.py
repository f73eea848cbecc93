"""Mode collapse on screen, in a real browser: the collapse preset loaded on the Train page, Train pressed, the
mode-occupancy view (share of samples per mode over training) appears and fills in as the run goes on."""
from __future__ import annotations

import json


from tests.test_browser import NEEDS_BROWSER, served_app, wait_until

pytestmark = NEEDS_BROWSER

OCCUPANCY = """() => { const gd = document.querySelector('.st-key-c_occupancy .js-plotly-plot');
    const t = gd && gd._fullData && gd._fullData.find(d => d.type === 'heatmap');
    if (!t) return '';
    return JSON.stringify({x: Array.from(t.x), z: Array.from(t.z, row => Array.from(row)),
                           y: Array.from(gd._fullLayout.yaxis.ticktext || [])}); }"""


def test_the_collapse_preset_draws_the_occupancy_as_it_trains():
    with served_app() as (port, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(f"http://127.0.0.1:{port}/", timeout=90_000)
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=90_000)
        page.locator(".st-key-w_preset").click()
        page.get_by_role("option", name="collapse-ttur").click()  # the sharp-collapse preset
        assert wait_until(lambda: page.locator(".st-key-w_z input").input_value() == "256", 30)
        page.get_by_role("button", name="Train", exact=True).click()
        assert wait_until(lambda: page.evaluate(OCCUPANCY) != "", 120), "no occupancy heatmap after Train"
        first = json.loads(page.evaluate(OCCUPANCY))
        assert first["y"][:3] == ["east", "north-east", "north"]  # the modes, named where a student sees them
        assert wait_until(lambda: len(json.loads(page.evaluate(OCCUPANCY) or '{"x": []}')["x"]) > len(first["x"]),
                          120), "the occupancy view did not change while training"
        later = json.loads(page.evaluate(OCCUPANCY))
        column = [row[-1] for row in later["z"]]
        assert abs(sum(column) - 100) < 1e-6  # every sample sits nearest some mode: a column adds up to 100%
