"""vehicles

Revision ID: 0002_vehicles
"""
revision = "0002_vehicles"
down_revision = "0001_users"


def upgrade():
    pass
