"""users

Revision ID: 0001_users
"""
revision = "0001_users"
down_revision = None


def upgrade():
    pass
