"""Staffing API: the same services, selectors and permissions as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from staffing import permissions, services
from staffing.models import Appointment, Department, Person, Post, SalaryGrade
from staffing.national_id import mask
from zonehr.roles import HasRole, Role


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "kind", "parent", "is_active"]


class PostSerializer(serializers.ModelSerializer):
    series = serializers.CharField(source="level.series.code", read_only=True)

    class Meta:
        model = Post
        fields = ["id", "code", "name", "department", "series", "level", "headcount", "coefficient", "is_leadership"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "national_id",
            "identity",
            "gender",
            "birth_date",
            "education",
            "joined_on",
            "status",
        ]
        read_only_fields = ["status"]
        # Model validation (check digit, birth date consistency) runs in the service.
        extra_kwargs = {"national_id": {"validators": []}}

    def to_representation(self, instance: Person) -> dict:
        data = super().to_representation(instance)
        if not permissions.sees_full_national_id(self.context["request"].user):
            data["national_id"] = mask(instance.national_id)
        return data


class AppointmentSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    post = serializers.PrimaryKeyRelatedField(queryset=Post.objects.all())
    salary_grade = serializers.PrimaryKeyRelatedField(
        queryset=SalaryGrade.objects.all(), required=False, allow_null=True
    )
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=300)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "person",
            "post",
            "method",
            "term_start",
            "term_end",
            "salary_grade",
            "negotiated_salary",
            "probation_end",
            "status",
            "ended_on",
            "end_reason",
            "reason",
        ]
        read_only_fields = ["status", "ended_on", "end_reason"]
        validators: list = []


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    permission_classes = [HasRole(*permissions.ROSTER_ROLES)]
    filterset_fields = ["kind", "is_active", "parent"]


class PostViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Post.objects.select_related("level__series")
    serializer_class = PostSerializer
    permission_classes = [HasRole(*permissions.ROSTER_ROLES)]
    filterset_fields = ["department", "level", "is_leadership"]


class PersonViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    filterset_fields = ["identity", "status"]
    ordering_fields = ["name", "joined_on"]

    def get_queryset(self):
        return permissions.people_visible_to(self.request.user, Person.objects.order_by("name", "id"))

    def get_permissions(self):
        if self.action == "create":
            return [HasRole(*permissions.MANAGE_ROLES)()]
        return super().get_permissions()

    def perform_create(self, serializer: PersonSerializer) -> None:
        serializer.instance = services.person_create(actor=self.request.user, **serializer.validated_data)


class AppointmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AppointmentSerializer
    filterset_fields = ["status", "method", "post", "person"]

    def get_queryset(self):
        visible = permissions.people_visible_to(self.request.user, Person.objects.all())
        return (
            Appointment.objects.filter(person__in=visible)
            .select_related("person", "post", "salary_grade")
            .order_by("-term_start", "-id")
        )

    def get_permissions(self):
        if self.action == "create":
            return [HasRole(*permissions.MANAGE_ROLES)()]
        return [HasRole(*permissions.ROSTER_ROLES, Role.STAFF_MEMBER)()]

    @extend_schema(responses={201: AppointmentSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.appointment_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(appointment).data, status=status.HTTP_201_CREATED)
