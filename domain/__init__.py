"""Pusleplan's domain: aggregates, domain events and the application service.

This package imports the standard library and ``eventsourcing`` only; a test
enforces it (see DESIGN.md, "Direction of imports").
"""
