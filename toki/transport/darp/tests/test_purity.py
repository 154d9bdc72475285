import ast
from pathlib import Path
from unittest import TestCase

TRANSPORT = Path(__file__).resolve().parent.parent.parent


def imported(package: Path) -> set[str]:
    names: set[str] = set()
    for path in package.rglob("*.py"):
        if "tests" in path.relative_to(package).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return names


class PurityTests(TestCase):
    def test_it_keeps_the_solver_and_the_checker_free_of_django(self):
        for package in ("darp", "darp_check"):
            with self.subTest(package=package):
                self.assertFalse({n for n in imported(TRANSPORT / package) if n.split(".")[0] == "django"})
