"""The words that ask where an order is, or to order the same again, in the chat's six languages:
on their own or with a polite word around them, never inside a product search."""
import pytest

from chat.language import asks_for_tracking, asks_to_reorder, words_of


@pytest.mark.parametrize("text", [
    "Where is my order?", "track", "Tracking", "order status", "please track my order", "Wo ist meine Bestellung?",
    "Bestellstatus bitte", "Dov'è il mio ordine?", "stato ordine", "¿Dónde está mi pedido?", "seguimiento",
    "Onde está meu pedido?", "rastreio", "मेरा ऑर्डर कहाँ है?", "ऑर्डर की स्थिति",
])
def test_asking_where_the_order_is_is_understood_in_every_language(text):
    assert asks_for_tracking(words_of(text))


@pytest.mark.parametrize("text", ["track pants", "my order is broken", "tracking shoes", "pedido de té"])
def test_a_search_with_a_tracking_word_in_it_is_not_tracking(text):
    assert not asks_for_tracking(words_of(text))


@pytest.mark.parametrize("text", [
    "Order again", "reorder please", "nochmal bestellen", "ordina di nuovo", "pedir de nuevo", "pedir de novo",
    "फिर से ऑर्डर करें",
])
def test_asking_to_order_again_is_understood_in_every_language(text):
    assert asks_to_reorder(words_of(text))
