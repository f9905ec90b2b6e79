"""Thin Flask app (placeholder; the web helper fills in create_app)."""
