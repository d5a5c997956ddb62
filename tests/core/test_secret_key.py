"""With DEBUG off, a missing, development or short SECRET_KEY refuses to start, with a clear message."""
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

GOOD = "x7" * 30


def start(**environment):
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "shopchat.settings", "DATABASE_URL": "sqlite://:memory:",
           **environment}
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); print('started')"],
                          cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("key", [None, "", settings.DEV_SECRET_KEY, "short-key"],
                         ids=["unset", "empty", "dev", "short"])
def test_debug_off_without_a_real_key_refuses_to_start(key):
    result = start(DEBUG="False", **({"SECRET_KEY": key} if key is not None else {}))
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY must be set" in result.stderr


def test_debug_off_with_a_real_key_starts():
    result = start(DEBUG="False", SECRET_KEY=GOOD)
    assert result.returncode == 0 and "started" in result.stdout, result.stderr


def test_debug_on_keeps_the_development_key_for_make_run():
    result = start(DEBUG="True")
    assert result.returncode == 0 and "started" in result.stdout, result.stderr
