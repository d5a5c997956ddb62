"""No personal data in logs: phone numbers, e-mail addresses and the served customer's name are
masked at INFO and above (every handler), the gunicorn access log masks numbers in paths, and
the embedded default's console e-mail backend writes a summary, not the message."""
import datetime
import importlib.util
import io
import logging
from pathlib import Path
from types import SimpleNamespace

from django.core.mail import EmailMessage

from shopchat.privacy.logs import PersonalDataFilter, mask, masking
from shopchat.privacy.mail import SummaryConsoleBackend

ROOT = Path(__file__).resolve().parents[2]


def test_mask_hides_numbers_and_e_mail_addresses_but_not_amounts_or_order_numbers():
    text = mask("customer +4915112345678 (asha@example.com) paid 62450 for SC-1042 at /customers/15550001234/")
    assert text == "customer [phone] ([email]) paid 62450 for SC-1042 at /customers/[phone]/"


def test_every_info_record_is_masked_when_it_is_made(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("shopchat.test").info("order for %s", "15550001234")
        logging.getLogger("shopchat.test").debug("debug keeps %s", "15550001234")
    assert "order for [phone]" in caplog.text
    assert "debug keeps" not in caplog.text or "15550001234" not in caplog.text.split("order for")[0]


def test_the_names_of_the_customer_being_served_are_masked_inside_masking(caplog):
    with caplog.at_level(logging.INFO), masking("Ottilie Brandhuber"):
        logging.getLogger("shopchat.test").warning("could not greet Ottilie (Brandhuber)")
    logging.getLogger("shopchat.test").warning("Ottilie outside")
    assert "could not greet [name] ([name])" in caplog.text and "Ottilie outside" in caplog.text


def test_the_handler_filter_masks_a_record_made_elsewhere():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "to %s", ("+15550001234",), None)
    assert PersonalDataFilter().filter(record) and record.getMessage() == "to [phone]"


def test_gunicorn_access_log_masks_the_number_in_the_path():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    from gunicorn.config import Config

    logger = conf.logger_class(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/api/v1/customers/15550001234/wallet/?to=4915112345678",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/api/v1/customers/15550001234/wallet/",
               "QUERY_STRING": "to=4915112345678", "REMOTE_ADDR": "127.0.0.1"}
    atoms = logger.atoms(SimpleNamespace(status="200 OK", sent=10, headers=[]), SimpleNamespace(headers=[]),
                         environ, datetime.timedelta(seconds=0.01))
    assert atoms["r"] == "GET /api/v1/customers/[phone]/wallet/?to=[phone] HTTP/1.1"
    assert atoms["U"] == "/api/v1/customers/[phone]/wallet/" and atoms["q"] == "to=[phone]"


def test_console_e_mail_backend_writes_a_summary_not_the_message():
    stream = io.StringIO()
    message = EmailMessage("New order from +15550001234", "Asha Rao, 14 Juniper Crescent, Pune", "shop@example.com",
                           ["owner@example.com", "manager@example.com"])
    SummaryConsoleBackend(stream=stream).send_messages([message])
    out = stream.getvalue()
    assert "to 2 recipient(s)" in out and "[phone]" in out
    for secret in ("15550001234", "Asha", "Juniper", "owner@example.com"):
        assert secret not in out
