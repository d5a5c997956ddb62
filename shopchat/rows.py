"""Model instances from rows read by written-out SQL on the hottest paths (paying, moving
money), as if the ORM had loaded them with `only()`: fields not read are deferred and load on
first access."""
from django.db import connection


def loaded(model, **values):
    """An instance of `model` holding `values` (by attribute name, e.g. `customer_id`)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    if len(names) != len(values):
        raise ValueError(f"not fields of {model.__name__}: {set(values) - set(names)}")
    return model.from_db(connection.alias, names, [values[name] for name in names])
