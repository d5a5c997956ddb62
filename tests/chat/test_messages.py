"""WhatsApp's format limits are enforced before anything is queued or sent."""
import pytest

from chat import messages as wa

CATALOG = "900000000000001"


def test_three_reply_buttons_are_allowed_a_fourth_is_not():
    buttons = [("a", "One"), ("b", "Two"), ("c", "Three")]
    assert len(wa.reply_buttons("Pick", buttons)["interactive"]["action"]["buttons"]) == 3
    with pytest.raises(wa.InvalidMessage, match="reply buttons"):
        wa.reply_buttons("Pick", buttons + [("d", "Four")])


def test_button_title_longer_than_20_characters_is_refused():
    wa.reply_buttons("Pick", [("a", "x" * 20)])
    with pytest.raises(wa.InvalidMessage, match="button title"):
        wa.reply_buttons("Pick", [("a", "x" * 21)])


def test_reply_button_ids_must_differ():
    with pytest.raises(wa.InvalidMessage, match="ids must differ"):
        wa.reply_buttons("Pick", [("a", "One"), ("a", "Two")])


def test_list_allows_ten_rows_in_total_across_sections():
    sections = [(f"S{s}", [(f"r{s}-{i}", "Row", "") for i in range(5)]) for s in range(2)]
    wa.list_message("Pick", "Open", sections)
    sections.append(("S2", [("r-extra", "Row", "")]))
    with pytest.raises(wa.InvalidMessage, match="list rows"):
        wa.list_message("Pick", "Open", sections)


def test_list_allows_at_most_ten_sections():
    sections = [(f"S{s}", [(f"r{s}", "Row", "")]) for s in range(11)]
    with pytest.raises(wa.InvalidMessage, match="sections"):
        wa.list_message("Pick", "Open", sections)


def test_product_list_allows_30_products_and_10_sections():
    sections = [(f"S{s}", [f"SKU-{s}-{i}" for i in range(3)]) for s in range(10)]
    wa.product_list(CATALOG, "Menu", "Pick", sections)
    with pytest.raises(wa.InvalidMessage, match="products"):
        wa.product_list(CATALOG, "Menu", "Pick", sections[:9] + [("S9", [f"SKU-9-{i}" for i in range(4)])])
    with pytest.raises(wa.InvalidMessage, match="sections"):
        wa.product_list(CATALOG, "Menu", "Pick", [(f"S{s}", ["SKU"]) for s in range(11)])


def test_product_list_needs_a_text_header():
    with pytest.raises(wa.InvalidMessage, match="header"):
        wa.product_list(CATALOG, "", "Pick", [("S", ["SKU-1"])])


def test_body_is_at_most_1024_and_footer_at_most_60_characters():
    wa.catalog_message("x" * 1024, footer="f" * 60)
    with pytest.raises(wa.InvalidMessage, match="body"):
        wa.catalog_message("x" * 1025)
    with pytest.raises(wa.InvalidMessage, match="footer"):
        wa.catalog_message("Browse", footer="f" * 61)


def test_text_message_body_is_at_most_4096_characters():
    wa.text("x" * 4096)
    with pytest.raises(wa.InvalidMessage):
        wa.text("x" * 4097)


def test_order_details_amounts_must_add_up():
    params = {"reference_id": "SC-1", "total_amount": {"value": 1500, "offset": 100}, "order": {
        "items": [{"retailer_id": "A", "name": "A", "amount": {"value": 500, "offset": 100}, "quantity": 2}],
        "subtotal": {"value": 1000, "offset": 100}, "tax": {"value": 0, "offset": 100},
        "shipping": {"value": 500, "offset": 100}}}
    wa.order_details("Pay", params)
    params["total_amount"]["value"] = 1400
    with pytest.raises(wa.InvalidMessage, match="total_amount"):
        wa.order_details("Pay", params)


def test_reference_id_allows_35_safe_characters():
    wa.order_status("Shipped", "A" * 35, "shipped")
    with pytest.raises(wa.InvalidMessage, match="reference_id"):
        wa.order_status("Shipped", "A" * 36, "shipped")
    with pytest.raises(wa.InvalidMessage, match="reference_id"):
        wa.order_status("Shipped", "SC 1", "shipped")


def test_clip_fits_long_titles_with_an_ellipsis():
    assert wa.clip("Assam Tea Premium Gold 250g", 20) == "Assam Tea Premium G…"
    assert len(wa.clip("x" * 50, 20)) == 20
    assert wa.clip("Short", 20) == "Short"
