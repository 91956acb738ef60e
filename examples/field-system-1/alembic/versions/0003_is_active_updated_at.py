"""users.is_active and vehicles.updated_at (the migration that had not run in FIELD.md)

Revision ID: 0003_is_active_updated_at
"""
revision = "0003_is_active_updated_at"
down_revision = "0002_vehicles"


def upgrade():
    pass
