"""Odd input a student might give, found in a browser rehearsal: each gets plain words and nothing breaks.

A 1-d noise on 2D data (the pictures failed), links with values that are not numbers (Python's own message was
shown), a refused stabiliser in a link (the default was named None), mbstd on a too-small batch (an internal field
name), an empty variant list in the arena and an empty N in the augmentation study (internal names), the step
buttons, which stepped the old run while a setting was refused, and the arena's form, which showed its defaults
beside a running arena after a visit to another page.
"""
import pytest

from tests.test_dashboard import metric, until

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def app(fresh_app):
    return fresh_app


def test_a_one_dimensional_noise_draws_its_manifold_as_one_curve():
    import torch

    from dashboard import settings
    from gan_core import Trainer
    from gan_core.evaluation.probes2d import warped_grid

    s, warnings = settings.from_query({"z": "1"})
    assert not warnings and s["z"] == 1
    t = Trainer(settings.build_config(s, None))
    with torch.no_grad():
        lines = warped_grid(t, t.G)
    assert lines.shape[0] == 1 and lines.shape[2] == 2 and lines.shape[1] > 100


def test_the_train_page_draws_a_one_dimensional_noise_run(app):
    app.query_params["z"] = "1"
    app.run()
    app.button(key="btn_step_d").click().run()
    app.button(key="btn_step_g").click().run()
    assert not app.exception
    assert not any("Could not draw the pictures" in m.value for m in [*app.info, *app.warning, *app.error]), \
        [m.value for m in [*app.info, *app.warning, *app.error]]
    assert metric(app, "Step") == "1"


@pytest.mark.parametrize("query, said", [
    ({"lr_g": "abc"}, "link setting lr_g='abc' ignored (must be a number between"),
    ({"batch": "1e3"}, "link setting batch='1e3' ignored (must be a whole number between 2 and 8,192)"),
    ({"steps": "-5"}, "link setting steps='-5' ignored (must be a whole number between 1 and 1,000,000)"),
])
def test_a_link_value_that_is_not_a_number_is_named_in_plain_words(query, said):
    from dashboard import settings

    _, warnings = settings.from_query(query)
    assert len(warnings) == 1 and warnings[0].startswith(said), warnings
    assert "invalid literal" not in warnings[0] and "could not convert" not in warnings[0]


def test_a_refused_stabiliser_in_a_link_names_the_stabilisers_kept():
    from dashboard import settings

    s, warnings = settings.from_query({"stab": "<img src=x>,sn"})
    kept = ", ".join(s["stabilisers"]) or settings.NO_STABILISERS
    assert len(warnings) == 1 and warnings[0].endswith(f"using the default {kept!r}"), warnings
    assert "None" not in warnings[0]


def test_mbstd_on_a_too_small_batch_names_the_batch_size_on_the_page():
    from dashboard.settings import page_message
    from gan_core.variants import resolve_recipe

    with pytest.raises(ValueError) as err:
        resolve_recipe("wgan+mbstd", {}, batch_size=1, conditional=False)
    said = page_message(str(err.value))
    assert said.startswith("Batch size 1 is too small for minibatch std"), said
    assert "optim." not in said


def test_a_refused_setting_turns_the_step_buttons_off_too(app):
    """With a setting refused, Train and Reset are off; so are the step buttons, which would step the old run."""
    app.run()
    app.selectbox(key="w_objective").set_value("wgan").run()
    app.multiselect(key="w_stabilisers").set_value(["pacgan", "mbstd"]).run()  # packs of 2
    app.number_input(key="w_batch").set_value(2).run()  # one pack: no spread for mbstd to measure
    said = [e.value for e in app.error]
    assert any(v.startswith("Batch size 2 is too small for minibatch std") for v in said), said
    for key in ("btn_train", "btn_step_d", "btn_step_g", "btn_step_both"):
        assert app.button(key=key).disabled, key


def test_the_arena_asks_for_a_variant_in_plain_words(app):
    app.switch_page("app_pages/arena.py").run()
    box = next(m for m in app.multiselect if m.key and m.key.startswith("ar_variants_"))
    box.set_value([])
    app.button[0].click().run()  # the form's Start
    assert not app.exception
    assert [e.value for e in app.error] == ["Pick at least one variant (up to six) above, then start the arena."]


def test_the_augmentation_study_asks_for_n_in_plain_words(app):
    app.switch_page("app_pages/augmentation.py").run()
    app.multiselect(key="aug_n").set_value([])
    app.button[0].click().run()  # the form's Run
    assert not app.exception
    assert [e.value for e in app.error] == ["Pick at least one number of labeled images per class (N) above, "
                                            "then press Run."]


def test_a_budget_of_one_step_says_step(app):
    app.run()
    app.number_input(key="w_steps").set_value(1).run()
    app.button(key="btn_train").click().run()
    assert until(app, lambda: any("Reached the step budget" in m.value for m in app.success), timeout=60)
    assert any(m.value == "Reached the step budget of 1 step." for m in app.success), [m.value for m in app.success]


def test_the_arena_form_shows_the_running_arena_after_another_page(app, monkeypatch):
    """Coming back from another page to a running arena, its form shows what runs, not the defaults."""
    import dashboard.resources
    from dashboard.training.arena_runner import ArenaRunner
    from dashboard.training.pool import TrainingPool

    runner = ArenaRunner(TrainingPool(1))  # this test's own: AppTest sessions share the session's arena
    monkeypatch.setattr(dashboard.resources, "session_arena", lambda: runner)
    app.switch_page("app_pages/arena.py").run()
    app.multiselect(key="ar_variants_2d").set_value(["vanilla", "ns"])
    app.number_input(key="ar_steps_2d").set_value(1000)
    app.number_input(key="ar_every_2d").set_value(200)
    app.button[0].click().run()  # the form's Start
    try:
        assert not app.exception and not app.error, [e.value for e in app.error]
        app.switch_page("app_pages/train.py").run()
        app.switch_page("app_pages/arena.py").run()
        assert not app.exception
        assert app.multiselect(key="ar_variants_2d").value == ["vanilla", "ns"]
        assert app.number_input(key="ar_steps_2d").value == 1000
        assert app.number_input(key="ar_every_2d").value == 200
        assert not app.warning or not any("Session State API" in w.value for w in app.warning)
    finally:
        runner.close()  # stops the runs and waits for the arena's thread
