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

Locks, in this one order on every path (DESIGN.md):

    1  the order row                 paying, refunds, cancellation, callbacks
    2  customer wallets, by id       paying (with the order, one query), refunds, transfers, top-ups
    3  ledger accounts, by id        every posting; the busy merchant accounts last (ledger.post)
    4  payment and refund rows       refunds, callbacks, settlement
    5  stock rows, by id             cancellation, full refunds (via orders)

A change that also moves an order (paid, refunded, cancelled) writes through one unit of work
(`shopchat.uow`): orders' steps join it, and the order's update, its transition, the payment
and the events go out together. Provider calls still run inside the transaction, after the
local locks, so a decline or an error leaves nothing half written.
"""
from .callbacks import CallbackOutcome, handle_provider_callback, handle_whatsapp_payment_status
from .cancellation import cancel_order
from .capturing import commission_for
from .paying import card_payment_link, order_for_payment_link, pay_order, pay_order_by_number
from .reconciliation import Difference, reconcile
from .refunds import refund_order
from .settlement import settle_all, settle_business
from .transfers import SentTransfer, transfer
from .wallet import add_funding_source, top_up

__all__ = [
    "CallbackOutcome", "Difference", "SentTransfer", "add_funding_source", "cancel_order", "card_payment_link",
    "commission_for", "handle_provider_callback", "handle_whatsapp_payment_status", "order_for_payment_link",
    "pay_order", "pay_order_by_number", "reconcile", "refund_order", "settle_all", "settle_business", "top_up",
    "transfer",
]
