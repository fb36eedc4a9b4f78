"""The dashboard page and its daily activity series (exact figures, site time zone, zero days)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lumiku.credits.services import credits_charge, credits_grant, credits_refund
from posegen.models import GeneratedPose
from posegen.pages.dashboard.chart import bar_chart
from posegen.selectors.activity import DailyValue, activity_credits_per_day, activity_poses_per_day
from tests.factories import GenerationFactory, ProjectFactory
from tests.posegen.pages.helpers import clock_at, local, signed_in

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 30)


def _pose(*, generation, sequence: int, when, status: str = "completed") -> GeneratedPose:
    return GeneratedPose.objects.create(generation=generation, sequence=sequence, status=status,
                                        output_image="results/x.png" if status == "completed" else "",
                                        completed_at=when)


def _move(kind, *, user, amount: int, when, key: str) -> None:
    with clock_at(when):
        kind(user_id=user.pk, amount=amount, idempotency_key=key, reference_type="pose_generation")


def _as_dict(series: list[DailyValue]) -> dict[date, int]:
    return {p.day: p.value for p in series if p.value}


@pytest.fixture
def activity(user, other_user):
    generation = GenerationFactory(project__user=user, total_expected_poses=10)
    _pose(generation=generation, sequence=0, when=local(2026, 3, 30, 10, 0))
    _pose(generation=generation, sequence=1, when=local(2026, 3, 30, 10, 1))
    _pose(generation=generation, sequence=2, when=local(2026, 3, 30, 23, 59))
    _pose(generation=generation, sequence=3, when=local(2026, 3, 30, 0, 30))  # 29 Mar 17:30 UTC: still the 30th
    _pose(generation=generation, sequence=4, when=local(2026, 3, 29, 23, 30))
    _pose(generation=generation, sequence=5, when=local(2026, 3, 30, 11, 0), status="failed")
    _pose(generation=generation, sequence=6, when=local(2026, 2, 28, 12, 0))  # before the window
    _pose(generation=generation, sequence=7, when=local(2026, 3, 1, 0, 0))  # first minute of the window
    foreign = GenerationFactory(project__user=other_user)
    _pose(generation=foreign, sequence=0, when=local(2026, 3, 30, 10, 0))

    _move(credits_grant, user=user, amount=500, when=local(2026, 2, 27, 9, 0), key="g")
    _move(credits_charge, user=user, amount=30, when=local(2026, 2, 28, 9, 0), key="c0")  # before the window
    _move(credits_charge, user=user, amount=90, when=local(2026, 3, 10, 9, 0), key="c1")
    _move(credits_refund, user=user, amount=30, when=local(2026, 3, 10, 9, 5), key="r1")
    _move(credits_grant, user=user, amount=100, when=local(2026, 3, 10, 12, 0), key="g2")  # grants are not spend
    _move(credits_charge, user=user, amount=60, when=local(2026, 3, 29, 23, 59), key="c2")
    _move(credits_refund, user=user, amount=30, when=local(2026, 3, 30, 0, 10), key="r2")  # refund-only day
    _move(credits_grant, user=other_user, amount=100, when=local(2026, 3, 30, 9, 0), key="og")
    _move(credits_charge, user=other_user, amount=60, when=local(2026, 3, 30, 9, 0), key="oc")


def test_poses_per_day_counts_completed_images_by_local_day(user, activity, django_assert_num_queries):
    with django_assert_num_queries(1):
        series = activity_poses_per_day(user=user, today=TODAY)
    assert len(series) == 30
    assert series[0].day == date(2026, 3, 1) and series[-1].day == TODAY
    assert _as_dict(series) == {date(2026, 3, 1): 1, date(2026, 3, 29): 1, TODAY: 4}
    assert sum(p.value for p in series) == 6


def test_credits_per_day_is_charges_less_refunds_without_grants(user, activity, django_assert_num_queries):
    with django_assert_num_queries(1):
        series = activity_credits_per_day(user=user, today=TODAY)
    assert [p.day for p in series] == [date(2026, 3, d) for d in range(1, 31)]
    assert _as_dict(series) == {date(2026, 3, 10): 60, date(2026, 3, 29): 60, TODAY: -30}
    assert sum(p.value for p in series) == 90


def test_series_of_a_new_user_are_thirty_zero_days(user):
    assert [p.value for p in activity_poses_per_day(user=user, today=TODAY)] == [0] * 30
    assert [p.value for p in activity_credits_per_day(user=user, today=TODAY, days=7)] == [0] * 7


def test_bar_chart_scales_to_a_round_maximum_and_draws_no_bar_below_zero():
    series = [DailyValue(day=date(2026, 3, d), value=v) for d, v in ((1, 0), (2, 7), (3, -30), (4, 10))]
    chart = bar_chart(series=series)
    assert [t.label for t in chart["ticks"]] == ["0", "5", "10", "15", "20"]
    heights = [b.height for b in chart["bars"]]
    plot_h = chart["baseline"] - 12
    assert heights == [0, round(plot_h * 7 / 20, 2), 0, plot_h / 2]
    assert [t.label for t in bar_chart(series=[DailyValue(day=date(2026, 3, 1), value=360)])["ticks"]] == [
        "0", "100", "200", "300", "400"]
    assert [t.label for t in bar_chart(series=[DailyValue(day=date(2026, 3, 1), value=0)])["ticks"]] == [
        "0", "1", "2", "3", "4"]
    assert chart["total"] == -13 and chart["peak"] == 10
    assert [label.label for label in chart["labels"]] == ["4 Mar"]  # every 7th day counted back from the last


def test_login_required(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_dashboard_shows_the_owner_figures_projects_and_generations(client, user, other_user):
    user.name = "Sari Batik"
    user.save(update_fields=["name"])
    web = signed_in(client, user)
    credits_grant(user_id=user.pk, amount=500, idempotency_key="g")
    project = ProjectFactory(user=user, project_name="Lebaran catalogue")
    ProjectFactory(user=other_user, project_name="Not my project")
    done = GenerationFactory(project=project, status="completed", poses_completed=3, total_expected_poses=3)
    GenerationFactory(project=project, status="failed", total_expected_poses=2)
    GenerationFactory(project__user=other_user, status="completed")
    for i in range(3):
        _pose(generation=done, sequence=i, when=local(2026, 3, 30, 10, i))
    credits_charge(user_id=user.pk, amount=90, idempotency_key="c", reference_type="pose_generation",
                   reference_id=str(done.pk))
    credits_charge(user_id=user.pk, amount=10, idempotency_key="bg", reference_type="background_change")
    credits_refund(user_id=user.pk, amount=30, idempotency_key="r", reference_type="pose_generation")

    response = web.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome back, Sari Batik" in html
    tile = {name: re.search(rf'data-testid="tile-{name}".*?class="value">(\d+)<', html, re.S).group(1)
            for name in ("balance", "projects", "poses", "spent")}
    # Spent = every feature's charges less refunds, the same measure as the chart (90 + 10 - 30).
    assert tile == {"balance": "430", "projects": "1", "poses": "3", "spent": "70"}
    assert "70 in the last 30 days" in html
    assert "Lebaran catalogue" in html and "Not my project" not in html
    assert html.count('data-testid="recent-generation"') == 2
    assert re.findall(r'class="badge ([\w-]*)" data-testid="generation-status">([^<]+)<', html) == [
        ("badge-danger", "Failed"), ("badge-ok", "Completed")]
    assert html.count('<rect class="bar"') == 60  # two charts of 30 days
    assert html.count("<tr><th scope=\"row\">") == 30
    assert 'role="img"' in html and "<desc" in html


def test_dashboard_of_a_new_user_welcomes_them_with_a_first_run_guide_not_empty_charts(client, user):
    user.name = "Sari"
    user.save(update_fields=["name"])
    html = signed_in(client, user).get("/dashboard/").content.decode()
    assert 'data-testid="recent-empty"' in html and 'data-testid="projects-empty"' in html
    assert "Welcome, Sari" in html and "Welcome back" not in html
    assert 'data-testid="first-run-guide"' in html
    assert 'href="/projects/new/?next=wizard" data-testid="first-run-project"' in html
    assert 'data-testid="activity"' not in html and '<rect class="bar"' not in html
