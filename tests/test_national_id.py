import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from staffing import national_id

# The worked example of GB 11643-1999 (appendix), a valid number ending in X, and a woman's number.
VALID = ["11010519491231002X", "440524188001010014", "130600198001010023"]


@pytest.mark.parametrize("value", VALID)
def test_it_accepts_numbers_with_the_right_check_digit(value):
    national_id.validate_national_id(value)


def test_it_computes_the_check_digit_of_the_standard_example():
    assert national_id.check_digit("11010519491231002") == "X"
    assert national_id.check_digit("44052418800101001") == "4"


def test_it_refuses_a_wrong_check_digit_and_names_the_expected_one():
    with pytest.raises(ValidationError) as info:
        national_id.validate_national_id("110105194912310021")
    assert info.value.code == "national_id_check_digit"
    assert "X" in str(info.value.messages[0])


@pytest.mark.parametrize("value", ["", "12345", "11010519491231002x", "1101051949123100201", "A1010519491231002X"])
def test_it_refuses_the_wrong_shape(value):
    with pytest.raises(ValidationError) as info:
        national_id.validate_national_id(value)
    assert info.value.code == "national_id_shape"


def test_it_refuses_an_impossible_birth_date():
    first17 = "13060019800231001"  # 31 February
    with pytest.raises(ValidationError) as info:
        national_id.validate_national_id(first17 + national_id.check_digit(first17))
    assert info.value.code == "national_id_birth_date"


def test_it_reads_birth_date_and_gender():
    assert national_id.birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert national_id.gender("11010519491231002X") == "F"
    assert national_id.gender("440524188001010014") == "M"


def test_it_masks_all_but_the_first_and_last_four():
    assert national_id.mask("11010519491231002X") == "1101**********002X"
