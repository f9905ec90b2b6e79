"""Entry points: the ``pusleplan`` command, demo data, benchmarks."""
