"""Pages of the roster import: the template, the upload, the annotated copy of a refused file."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from staffing.permissions import MANAGE_ROLES
from staffing.roster_import import (
    MAX_ROWS,
    TEMPLATE_FILENAME,
    RosterFileError,
    error_copy,
    error_copy_store,
    file_check,
    roster_check,
    roster_import_save,
    template_workbook,
)
from zonehr.errors import ApplicationError
from zonehr.forms import Form
from zonehr.roles import role_required

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RosterImportForm(Form):
    file = forms.FileField(
        label=gettext_lazy("Roster workbook (.xlsx)"),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            file_check(upload.name, upload.size)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    return HttpResponse(
        content, content_type=XLSX_TYPE, headers={"Content-Disposition": content_disposition_header(True, filename)}
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def roster_import(request: HttpRequest) -> HttpResponse:
    form = RosterImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form, "max_rows": MAX_ROWS}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            checked = roster_check(content)
        except RosterFileError as exc:
            form.add_error("file", exc.message)
            return render(request, "staffing/roster_import.html", context)
        if checked.errors:
            token = error_copy_store(
                user_id=request.user.pk, content=content, filename=upload.name, errors=checked.errors
            )
            context.update(checked=checked, filename=upload.name, token=token)
            return render(request, "staffing/roster_import.html", context)
        try:
            summary = roster_import_save(actor=request.user, rows=checked.rows, filename=upload.name)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Imported from %(file)s: %(people)s people; on a post: %(appointed)s; awaiting appointment: "
                    "%(pending)s; archival records sealed: %(records)s."
                )
                % {
                    "people": summary.people,
                    "file": upload.name,
                    "appointed": summary.appointed,
                    "pending": summary.people - summary.appointed,
                    "records": summary.records,
                },
            )
            return redirect("staffing:roster")
    return render(request, "staffing/roster_import.html", context)


@require_GET
@role_required(*MANAGE_ROLES)
def roster_import_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(template_workbook(), TEMPLATE_FILENAME)


@require_GET
@role_required(*MANAGE_ROLES)
def roster_import_error_copy(request: HttpRequest, token: str) -> HttpResponse:
    found = error_copy(user_id=request.user.pk, token=token)
    if found is None:
        raise Http404(_("This file is no longer kept; upload it again to check it."))
    filename, content = found
    return _xlsx(content, filename)
