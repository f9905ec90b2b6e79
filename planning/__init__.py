"""Planning with OR-Tools: agreement rules, shift planner, route planner.

Takes and returns plain dataclasses; imports neither eventsourcing nor Flask.
"""
