from __future__ import annotations

import pytest

from omotenashi.anticipation.sensitive import SensitiveFeatureRefused, refuse_sensitive, sensitive_features


def test_names_every_sensitive_feature_word_by_word() -> None:
    found = sensitive_features(
        ["frequency", "age_band", "page_views", "customer.date_of_birth.year", "Gender"],
        ["age", "date_of_birth", "gender"],
    )
    assert found == [("age_band", "age"), ("customer.date_of_birth.year", "date_of_birth"), ("Gender", "gender")]


def test_refusal_is_an_error_that_names_the_features() -> None:
    with pytest.raises(SensitiveFeatureRefused) as caught:
        refuse_sensitive(["frequency", "ethnicity_code"], ["ethnicity"])
    assert caught.value.data == {"features": ["ethnicity_code"], "attributes": ["ethnicity"]}
    assert "ethnicity_code" in caught.value.message
    refuse_sensitive(["frequency", "tenure"], ["age", "gender"])  # nothing sensitive: no error
