"""A ledger transaction's memo may be erased (set to the privacy tombstone) when the customer's
personal data is erased: a transfer's memo is the note its sender wrote. Nothing else of a
ledger row ever changes; entries stay fully append-only (PostgreSQL triggers)."""
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION payments_ledger_transaction_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.memo = '[erased]'
       AND (NEW.id, NEW.business_id, NEW.kind, NEW.reference, NEW.created_by_id, NEW.created_at)
           IS NOT DISTINCT FROM (OLD.id, OLD.business_id, OLD.kind, OLD.reference, OLD.created_by_id, OLD.created_at)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ledger rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS payments_ledgertransaction_append_only ON payments_ledgertransaction;
CREATE TRIGGER payments_ledgertransaction_append_only BEFORE UPDATE OR DELETE ON payments_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_transaction_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS payments_ledgertransaction_append_only ON payments_ledgertransaction;
CREATE TRIGGER payments_ledgertransaction_append_only BEFORE UPDATE OR DELETE ON payments_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only();
DROP FUNCTION IF EXISTS payments_ledger_transaction_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_payment_business_index_covered_by_settle_idx")]
    operations = [migrations.RunPython(forward, backward)]
