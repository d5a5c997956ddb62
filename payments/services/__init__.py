"""Payments, wallet, refunds, settlement and reconciliation: every rule that moves money.

Money flows, each one balanced ledger transaction (see `payments.ledger`):

    flow             from                  to                    module
    top-up           provider clearing  -> customer wallet       wallet
    wallet payment   customer wallet    -> merchant payable      paying, capturing
    card payment     provider clearing  -> merchant payable      paying, callbacks (also WhatsApp Pay)
    commission       merchant payable   -> platform revenue      capturing (taken at capture, kept on refund)
    refund           merchant payable   -> wallet / clearing     refunds, cancellation
    transfer         sender wallet      -> recipient wallet      transfers
    settlement       merchant payable   -> payouts               settlement
    test chat sale   wallet / clearing  -> test sales            capturing (the merchant's own test chat:
                                                                 no commission, never settled; refunds
                                                                 come back out of test sales)

Locks, in this one order on every path (DESIGN.md):

    1  the order row                 paying, refunds, cancellation, callbacks
    2  customer wallets, by id       paying (with the order, one query), refunds, transfers, top-ups
    3  ledger accounts, by id        every posting; the busy merchant accounts last (ledger.post)
    4  payment and refund rows       refunds, callbacks, settlement
    5  stock rows, by id             cancellation, full refunds (via orders)

A change that also moves an order (paid, refunded, cancelled) writes through one unit of work
(`shopchat.uow`): orders' steps join it, and the order's update, its transition, the payment
and the events go out together. A card charge is recorded pending under the locks, sent to the
provider after that commits (nothing locked, the payment's idempotency key passed along), and
its answer applied in a second short transaction (`charging`; the repair path is there too).
"""
from .callbacks import CallbackOutcome, handle_provider_callback, handle_whatsapp_payment_status
from .cancellation import cancel_order
from .capturing import commission_for
from .charging import apply_charge_result, repair_pending_payments, send_charge
from .links import card_setup_link
from .paying import card_payment_link, order_for_payment_link, pay_order, pay_order_by_number
from .payouts import fail_payout, resend_unconfirmed_payouts, retry_failed_payouts, send_payout
from .reconciliation import Difference, reconcile
from .refunds import refund_order, send_refund
from .settlement import settle_all, settle_business
from .transfers import SentTransfer, transfer
from .wallet import add_funding_source, top_up

__all__ = [
    "CallbackOutcome", "Difference", "SentTransfer", "add_funding_source", "apply_charge_result", "cancel_order",
    "card_payment_link", "card_setup_link", "commission_for", "handle_provider_callback",
    "handle_whatsapp_payment_status", "order_for_payment_link", "pay_order", "pay_order_by_number", "reconcile",
    "refund_order", "repair_pending_payments", "send_charge", "send_refund", "settle_all", "settle_business",
    "top_up", "transfer", "fail_payout", "resend_unconfirmed_payouts", "retry_failed_payouts", "send_payout",
]
