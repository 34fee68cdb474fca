"""Workbook uploads are checked for type and size before anything reads them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.forms import EvaluationImportForm
from payroll.forms import PayInputImportForm
from zonehr.forms import WORKBOOK_MAX_BYTES

FORMS = [EvaluationImportForm, PayInputImportForm]


@pytest.mark.parametrize("form_class", FORMS)
def test_an_oversized_workbook_is_refused_with_its_size(form_class):
    upload = SimpleUploadedFile("inputs.xlsx", b"PK" + b"\0" * WORKBOOK_MAX_BYTES)

    form = form_class(data={}, files={"file": upload})

    assert not form.is_valid()
    assert form.errors["file"] == ["The file is 10.0 MB; at most 10 MB is accepted."]


@pytest.mark.parametrize("form_class", FORMS)
def test_a_file_that_is_not_a_workbook_is_refused_by_its_type(form_class):
    form = form_class(data={}, files={"file": SimpleUploadedFile("inputs.csv", b"a,b\n1,2\n")})

    assert not form.is_valid()
    assert "xlsx" in form.errors["file"][0]


@pytest.mark.parametrize("form_class", FORMS)
def test_a_workbook_within_the_limit_passes_the_form(form_class):
    form = form_class(data={}, files={"file": SimpleUploadedFile("inputs.xlsx", b"PK\x03\x04")})

    assert form.is_valid(), form.errors
