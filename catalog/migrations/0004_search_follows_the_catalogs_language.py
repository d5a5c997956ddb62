"""PostgreSQL: the search document also holds the stems of the catalog's language (the business's
language: German, Italian, Spanish, Portuguese; others keep the words as typed), and is built
again for all of a business's products when its language changes. SQLite: nothing to do."""
from django.db import migrations

STEMMING_CONFIGS = {"de": "german", "it": "italian", "es": "spanish", "pt-br": "portuguese"}  # catalog.selectors

CASES = " ".join(f"WHEN '{code}' THEN '{config}'" for code, config in STEMMING_CONFIGS.items())

FORWARD = f"""
CREATE OR REPLACE FUNCTION catalog_search_config(language text) RETURNS regconfig AS $$
    SELECT (CASE language {CASES} ELSE 'simple' END)::regconfig
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION catalog_product_search_vector() RETURNS trigger AS $$
DECLARE
    config regconfig := catalog_search_config(
        (SELECT language FROM shopchat_business WHERE id = NEW.business_id));
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple'::regconfig, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(NEW.brand, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(NEW.description, '')), 'C');
    IF config <> 'simple'::regconfig THEN
        NEW.search_vector := NEW.search_vector
            || setweight(to_tsvector(config, coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector(config, coalesce(NEW.brand, '')), 'B')
            || setweight(to_tsvector(config, coalesce(NEW.description, '')), 'C');
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION catalog_business_language_changed() RETURNS trigger AS $$
BEGIN
    UPDATE catalog_product SET search_vector = NULL WHERE business_id = NEW.id;  -- rebuilt by the trigger above
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS catalog_business_language_changed ON shopchat_business;
CREATE TRIGGER catalog_business_language_changed
    AFTER UPDATE OF language ON shopchat_business
    FOR EACH ROW WHEN (OLD.language IS DISTINCT FROM NEW.language)
    EXECUTE FUNCTION catalog_business_language_changed();

UPDATE catalog_product SET search_vector = NULL
    WHERE business_id IN (SELECT id FROM shopchat_business WHERE catalog_search_config(language) <> 'simple'::regconfig);
"""

BACKWARD = """
DROP TRIGGER IF EXISTS catalog_business_language_changed ON shopchat_business;
DROP FUNCTION IF EXISTS catalog_business_language_changed();
CREATE OR REPLACE FUNCTION catalog_product_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple'::regconfig, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(NEW.brand, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(NEW.description, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS catalog_search_config(text);
UPDATE catalog_product SET search_vector = NULL;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0003_product_price_labels"),
        ("shopchat", "0010_business_language_greetings"),
    ]

    operations = [migrations.RunPython(forward, backward)]
