from django.urls import path

from staffing import views

app_name = "staffing"

urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/appoint/", views.appointment_create, name="appointment_create"),
]
