"""Read models fed by events, with tracking records (see DESIGN.md)."""
