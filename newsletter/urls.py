from django.urls import path

from . import views

app_name = "newsletter"

# Under the language prefix (/ja/subscribe/, /en/subscribe/).
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/my-data.json", views.my_data, name="my_data"),
]

# Without a language prefix: the URLs in every message's headers and a provider's webhook.
unprefixed_urlpatterns = [
    path(
        "newsletter/unsubscribe/<str:token>/",
        views.one_click_unsubscribe,
        name="newsletter_one_click",
    ),
    path("newsletter/bounces/", views.bounce_webhook, name="newsletter_bounces"),
]
