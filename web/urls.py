from django.urls import path

from .views import chat, shop, signup

app_name = "web"

urlpatterns = [
    path("signup/", signup.signup_page, name="signup"),
    path("signup/done/", signup.signup_done, name="signup-done"),
    path("signup/verify/<str:token>/", signup.verify_email, name="verify-email"),
    path("shop/<slug:slug>/", shop.shop_page, name="shop"),
    path("shop/<slug:slug>/p/<str:retailer_id>/", shop.product_page, name="product"),
    path("shop/<slug:slug>/qr.svg", shop.qr_svg, name="shop-qr-svg"),
    path("shop/<slug:slug>/qr.png", shop.qr_png, name="shop-qr-png"),
    path("shop/<slug:slug>/chat/", chat.chat_page, name="chat"),
    path("shop/<slug:slug>/chat/send/", chat.chat_send, name="chat-send"),
    path("shop/<slug:slug>/chat/messages/", chat.chat_poll, name="chat-poll"),
    path("shop/<slug:slug>/chat/try/", chat.try_shop, name="try-shop"),
]
