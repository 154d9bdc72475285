"""The fault suite (issue 22, docs/ci.md): `python -m tests_faults.run`."""
