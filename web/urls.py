from django.urls import path

from .views import shop, signup

app_name = "web"

urlpatterns = [
    path("signup/", signup.signup_page, name="signup"),
    path("signup/done/", signup.signup_done, name="signup-done"),
    path("signup/verify/<str:token>/", signup.verify_email, name="verify-email"),
    path("shop/<slug:slug>/", shop.shop_page, name="shop"),
    path("shop/<slug:slug>/p/<str:retailer_id>/", shop.product_page, name="product"),
    path("shop/<slug:slug>/qr.svg", shop.qr_svg, name="shop-qr-svg"),
    path("shop/<slug:slug>/qr.png", shop.qr_png, name="shop-qr-png"),
]
