"""The django-oscar + django-oscar-api peer of bench/gateway.py: its own Django project, run from
its own virtualenv (var/bench-oscar-venv, requirements-bench.txt, set up by `make bench`), on its
own PostgreSQL database. Nothing in shopchat imports it."""
