"""Payroll API: the same services, selectors and permissions as the pages.

Writes call payroll.services, payroll.inputs and payroll.packages, so the rules, the audit trail
and the error shape ({"message", "fields"}) are those of the pages. Calculating and closing a
month start a job and answer 202 Accepted with the job's id and the URL of its progress. Reads are
narrowed by payroll.permissions: a department head reads his own department's packages, a member
of staff his own pay lines (of closed months); a row the user may not see is not found (404).
"""

from django.db.models import F
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from assessment.models import Cycle
from payroll import exports, inputs, permissions, selectors, services
from payroll.models import PayLine, PayPeriod, PayPolicy, PayrollJob, SalaryPackage
from staffing.selectors import user_person
from zonehr.api import ApplicationErrorSerializer
from zonehr.roles import HasRole
from zonehr.xlsx import XLSX_TYPE

ERRORS = {400: ApplicationErrorSerializer}
CSV_TYPE = "text/csv"


def _payload(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Renderers for the downloads --------------------------------------------------------------------


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file's type (Accept, ?format=); a refusal is still the JSON
    error shape, sent as JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data, renderer_context=renderer_context)


class XlsxRenderer(_FileRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"


class CsvRenderer(_FileRenderer):
    media_type = CSV_TYPE
    format = "csv"


# --- Serializers ------------------------------------------------------------------------------------


class PolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = PayPolicy
        fields = "__all__"
        read_only_fields = [field.name for field in PayPolicy._meta.concrete_fields]


class PolicyCreateSerializer(serializers.ModelSerializer):
    """A new version of the policy; figures left out are those of the latest version."""

    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    class Meta:
        model = PayPolicy
        exclude = ["id"]
        # The services check every figure and answer in the one error shape.
        validators: list = []
        extra_kwargs = {
            field.name: {"required": False}
            for field in PayPolicy._meta.concrete_fields
            if field.name not in ("id", "effective_from")
        } | {"effective_from": {"validators": []}}


class PackageSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = SalaryPackage
        fields = [
            "id",
            "period",
            "department",
            "department_name",
            "headcount",
            "coefficient",
            "assessment_score",
            "basic_package",
            "performance_package",
            "status",
            "approved_by",
            "approved_at",
        ]
        read_only_fields = fields


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayPeriod
        fields = [
            "id",
            "year",
            "month",
            "status",
            "cycle",
            "zone_factor",
            "performance_pool",
            "award_pool",
            "current_job",
            "calculated_at",
            "closed_at",
            "closed_by",
            "reopen_reason",
        ]
        read_only_fields = fields


class PeriodOpenSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    cycle = serializers.PrimaryKeyRelatedField(
        queryset=Cycle.objects.all(), help_text="The confirmed assessment cycle the month pays on."
    )


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Kept in the audit trail.")


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    warnings = serializers.JSONField(
        read_only=True,
        help_text='A calculation\'s warnings: [{"code", "person_id", "person", "department", "figures"}].',
    )

    class Meta:
        model = PayrollJob
        fields = [
            "id",
            "period",
            "kind",
            "status",
            "total_steps",
            "done_steps",
            "percent",
            "created_at",
            "heartbeat_at",
            "finished_at",
            "error",
            "warnings",
        ]
        read_only_fields = fields


class JobStartedSerializer(serializers.Serializer):
    job = serializers.IntegerField(
        allow_null=True, help_text="The job's id; null for a month closed before its jobs were kept."
    )
    # Plain text: a second enum of the job statuses would collide with the job's own in the schema.
    status = serializers.CharField(allow_null=True, help_text="queued, running, succeeded or failed.")
    progress_url = serializers.URLField(allow_null=True, help_text="Poll it for the job's progress.")


class TotalsSerializer(serializers.Serializer):
    """What a department (or the whole month) is paid: a department head gets the earnings only."""

    department = serializers.IntegerField(allow_null=True, help_text="None for the whole month.")
    department_name = serializers.CharField(allow_blank=True)
    headcount = serializers.IntegerField()
    basic_salary = serializers.DecimalField(max_digits=16, decimal_places=2)
    performance_pay = serializers.DecimalField(max_digits=16, decimal_places=2)
    other_pay = serializers.DecimalField(max_digits=16, decimal_places=2)
    gross_pay = serializers.DecimalField(max_digits=16, decimal_places=2)
    annual_bonus = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    contributions = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    tax = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    deductions = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    net_pay = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class PayLineSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    year = serializers.IntegerField(source="period.year", read_only=True)
    month = serializers.IntegerField(source="period.month", read_only=True)

    class Meta:
        model = PayLine
        exclude = ["job"]
        read_only_fields = [field.name for field in PayLine._meta.concrete_fields if field.name != "job"]


# --- Views ------------------------------------------------------------------------------------------


class PolicyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The zone's pay policy by effective date; a month pays under the version in force on its
    first day. Finance adds versions."""

    serializer_class = PolicySerializer
    queryset = PayPolicy.objects.order_by("-effective_from")
    permission_classes = [HasRole(*permissions.MANAGE_ROLES)]
    filterset_fields = ["effective_from"]
    ordering_fields = ["effective_from"]

    @extend_schema(request=PolicyCreateSerializer, responses={201: PolicySerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """A new version from its effective date; one taking effect in a closed month is refused."""
        values = dict(_payload(PolicyCreateSerializer, request))
        reason = values.pop("reason", "")
        policy = inputs.pay_policy_create(actor=request.user, values=values, reason=reason)
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class PackageViewSet(viewsets.ReadOnlyModelViewSet):
    """Departments' salary packages; a department head reads his own department's."""

    serializer_class = PackageSerializer
    permission_classes = [HasRole(*permissions.READ_ROLES)]
    filterset_fields = ["period", "department", "status"]
    ordering_fields = ["id"]

    def get_queryset(self):
        packages = SalaryPackage.objects.select_related("department").order_by("period", "department__code", "id")
        user = self.request.user
        if permissions.can_model_packages(user):
            return packages
        return packages.filter(department=permissions.visible_department(user))


def _progress_url(request: Request, job: PayrollJob) -> str:
    return request.build_absolute_uri(reverse("payroll-job-detail", args=[job.pk]))


def _started(request: Request, job: PayrollJob | None) -> Response:
    if job is None:
        data = {"job": None, "status": None, "progress_url": None}
    else:
        data = {"job": job.pk, "status": job.status, "progress_url": _progress_url(request, job)}
    return Response(JobStartedSerializer(data).data, status=status.HTTP_202_ACCEPTED)


STARTED = {202: JobStartedSerializer, **ERRORS}
NOT_CALCULATED = {404: OpenApiResponse(ApplicationErrorSerializer, description="Not calculated yet.")}


class PeriodViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pay months: open → calculated → closed, reopened by the leadership with a reason."""

    serializer_class = PeriodSerializer
    queryset = PayPeriod.objects.order_by("-year", "-month")
    filterset_fields = ["year", "month", "status"]
    ordering_fields = ["year", "month", "id"]
    roles = {
        "list": permissions.READ_ROLES,
        "retrieve": permissions.READ_ROLES,
        "totals": permissions.READ_ROLES,
        "progress": permissions.PACKAGE_ROLES,
        "reopen": permissions.REOPEN_ROLES,
    }

    def get_permissions(self):
        return [HasRole(*self.roles.get(self.action, permissions.MANAGE_ROLES))()]

    @extend_schema(request=PeriodOpenSerializer, responses={201: PeriodSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Open a month on a confirmed assessment cycle."""
        period = services.open_period(actor=request.user, **_payload(PeriodOpenSerializer, request))
        return Response(PeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=STARTED, summary="Calculate")
    @action(detail=True, methods=["post"])
    def calculate(self, request, pk=None):
        """Calculate (or recalculate) the month's pay lines as a job; missing inputs refuse it
        with each one named. Poll `progress_url` until the job has succeeded or failed."""
        return _started(request, services.start_calculation(actor=request.user, period=self.get_object()))

    @extend_schema(request=None, responses=STARTED, summary="Close")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a calculated month as a job: the salary sheet is kept and the month is locked.
        Closing a closed month changes nothing."""
        return _started(request, services.start_close(actor=request.user, period=self.get_object()))

    @extend_schema(request=ReopenSerializer, responses={200: PeriodSerializer, **ERRORS}, summary="Reopen")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a closed month (back to calculated), with the reason; the leadership's alone."""
        period = services.reopen_period(
            actor=request.user, period=self.get_object(), **_payload(ReopenSerializer, request)
        )
        return Response(PeriodSerializer(period).data)

    @extend_schema(
        request=None,
        responses={200: JobSerializer, 404: OpenApiResponse(ApplicationErrorSerializer, description="No job yet.")},
        summary="Progress of the latest job",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def progress(self, request, pk=None):
        """The latest calculation or close of the month, with its progress."""
        job = selectors.latest_job(self.get_object())
        if job is None:
            return Response(
                {"message": _("This pay period has not been calculated yet."), "fields": {}},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(JobSerializer(job).data)

    @extend_schema(request=None, responses={200: TotalsSerializer(many=True)}, summary="Totals")
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def totals(self, request, pk=None):
        """The month's totals, first for the whole month (department null) and then per department.
        A department head gets his own department's earnings only: no deductions, tax or net pay."""
        period = self.get_object()
        user = request.user
        if permissions.can_model_packages(user):
            rows = [_totals_row(selectors.period_totals(period), None, "")]
            rows += [
                _totals_row(row, row["department_id"], row["department__name"])
                for row in selectors.department_totals(period)
            ]
        else:
            own = permissions.visible_department(user)
            found = selectors.department_totals(period, department_id=own.pk) if own else []
            rows = [
                _totals_row(row, row["department_id"], row["department__name"], earnings_only=True) for row in found
            ]
        return Response(TotalsSerializer(rows, many=True).data)

    @extend_schema(
        request=None,
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY, **NOT_CALCULATED},
        summary="Salary sheet (xlsx)",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="salary-sheet",
        renderer_classes=[JSONRenderer, XlsxRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def salary_sheet(self, request, pk=None):
        """The salary sheet: a summary and one sheet per department, totals to the fen. A closed
        month gives the sheet it was closed with."""
        period = _calculated(self.get_object())
        if period.status == PayPeriod.Status.CLOSED and period.salary_sheet:
            with period.salary_sheet.open("rb") as stored:
                content = stored.read()
        else:
            content = exports.salary_sheet_bytes(period)
        return _file(content, XLSX_TYPE, f"salary-sheet-{period}.xlsx")

    @extend_schema(
        request=None,
        responses={(200, CSV_TYPE): OpenApiTypes.BINARY, **NOT_CALCULATED},
        summary="Bank transfer file (CSV)",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="bank-file",
        renderer_classes=[JSONRenderer, CsvRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def bank_file(self, request, pk=None):
        """Account, name and amount per person, and a totals line."""
        period = _calculated(self.get_object())
        return _file(exports.bank_file(period).encode("utf-8"), f"{CSV_TYPE}; charset=utf-8", f"bank-{period}.csv")


def _calculated(period: PayPeriod) -> PayPeriod:
    """The period, if it has lines to export, as the download pages have it."""
    if period.status == PayPeriod.Status.OPEN or period.current_job_id is None:
        raise NotFound(_("This month has not been calculated yet: there is nothing to download."))
    return period


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _totals_row(totals: dict, department: int | None, name: str, *, earnings_only: bool = False) -> dict:
    def total(*fields: str):
        return sum((totals.get(field) or 0 for field in fields), 0)

    row = {
        "department": department,
        "department_name": name,
        "headcount": totals.get("headcount", 0),
        "basic_salary": total("basic_salary"),
        "performance_pay": total("basic_performance", "major_work", "investment_promotion", "project_construction"),
        "other_pay": total("allowances", "over_target_bonus", "advanced_worker_award", "back_pay"),
        "gross_pay": total("gross_pay"),
        "annual_bonus": None,
        "contributions": None,
        "tax": None,
        "deductions": None,
        "net_pay": None,
    }
    if not earnings_only:
        row |= {
            "annual_bonus": total("annual_bonus"),
            "contributions": total("pension", "medical", "unemployment", "housing_fund"),
            "tax": total("income_tax", "annual_bonus_tax"),
            "deductions": total(*selectors.DEDUCTIONS),
            "net_pay": total("net_pay"),
        }
    return row


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Calculations and closes of the months, with their progress (done_steps of total_steps)."""

    serializer_class = JobSerializer
    queryset = PayrollJob.objects.order_by("-created_at", "-id")
    permission_classes = [HasRole(*permissions.PACKAGE_ROLES)]
    filterset_fields = ["period", "kind", "status"]
    ordering_fields = ["created_at", "id"]


class PayLineViewSet(viewsets.ReadOnlyModelViewSet):
    """Pay lines of the calculations in force; finance reads them all. Everyone reads his own
    lines of closed months at `mine`."""

    serializer_class = PayLineSerializer
    filterset_fields = ["period", "department", "person"]
    ordering_fields = ["id"]

    def get_permissions(self):
        if self.action == "mine":
            return super().get_permissions()
        return [HasRole(*permissions.MANAGE_ROLES)()]

    def get_queryset(self):
        return (
            PayLine.objects.filter(job_id=F("period__current_job_id"))
            .select_related("person", "period")
            .order_by("-period__year", "-period__month", "department__code", "person__name", "id")
        )

    @extend_schema(responses={200: PayLineSerializer(many=True)}, summary="My pay lines")
    @action(detail=False, methods=["get"], filter_backends=[])
    def mine(self, request):
        """Your own pay lines of closed months, the latest first (empty without a personnel record)."""
        person = user_person(request.user)
        lines = selectors.person_pay_lines(person) if person is not None else PayLine.objects.none()
        page = self.paginate_queryset(lines)
        return self.get_paginated_response(PayLineSerializer(page, many=True).data)


def register(router: DefaultRouter) -> None:
    """Add the payroll endpoints to the project's API router."""
    router.register("payroll/policies", PolicyViewSet, basename="payroll-policy")
    router.register("payroll/packages", PackageViewSet, basename="payroll-package")
    router.register("payroll/periods", PeriodViewSet, basename="payroll-period")
    router.register("payroll/jobs", JobViewSet, basename="payroll-job")
    router.register("payroll/lines", PayLineViewSet, basename="payroll-line")
