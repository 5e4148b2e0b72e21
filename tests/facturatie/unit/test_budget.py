"""Budget forecast (pure) and the region file's budgets."""

from __future__ import annotations

import datetime as dt

import pytest

from facturatie.domain.budget import Budgetstand, prognose
from shared.platform.regio import RegioFileError, load_regio
from tools.checkout import DEFAULT_REGIO


@pytest.mark.parametrize("verbruikt, vandaag, verwacht", [
    (100_000, dt.date(2026, 12, 31), 100_000),          # the last day: the year is complete
    (100_000, dt.date(2026, 1, 1), 36_500_000),         # one day of 365 passed
    (50_000, dt.date(2026, 7, 2), 99_727),              # 183 of 365 days: 50,000 × 365 / 183 = 99,726.8
    (0, dt.date(2026, 6, 1), 0),
    (-3_000, dt.date(2026, 12, 31), -3_000),            # more credited than spent stays exact
])
def test_a_forecast_extends_usage_linearly_to_the_end_of_the_year(verbruikt, vandaag, verwacht):
    assert prognose(verbruikt, 2026, vandaag) == verwacht


def test_a_past_year_forecasts_its_usage_and_a_future_year_nothing():
    assert prognose(123, 2025, dt.date(2026, 3, 1)) == 123
    assert prognose(123, 2027, dt.date(2026, 3, 1)) == 0


def test_a_leap_year_counts_366_days():
    assert prognose(100, 2028, dt.date(2028, 1, 1)) == 36_600


def test_over_budget_is_flagged_by_the_forecast_not_by_usage_so_far():
    stand = Budgetstand("jw", "45", 2026, budget=1_000, verbruikt=600, prognose=1_001)
    assert stand.over_budget_verwacht and stand.als_dict()["resterend_cent"] == 400
    assert not Budgetstand("jw", "45", 2026, 1_000, 600, 1_000).over_budget_verwacht


def test_the_region_file_refuses_a_budget_given_twice(tmp_path):
    text = DEFAULT_REGIO.read_text()
    dubbel = text.replace("budgetten:\n",
                          'budgetten:\n  - {gemeente: "1904", domein: jw, categorie: "45", jaar: 2026, cent: 1}\n')
    (tmp_path / "r.yaml").write_text(dubbel)
    with pytest.raises(RegioFileError, match="given twice"):
        load_regio(tmp_path / "r.yaml")
    assert load_regio(DEFAULT_REGIO).budgetten
