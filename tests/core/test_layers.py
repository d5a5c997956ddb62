"""The apps stand on floors (DESIGN.md, "Layout"): an app imports only apps on lower floors, and
two apps on one floor do not import each other. Every import counts, a lazy one inside a
function too. Migrations are history and exempt; tests and bench/ are not apps."""
import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
FLOORS = {"shopchat": 0, "catalog": 1, "orders": 2, "payments": 3, "support": 3, "chat": 4, "web": 5}

def project_modules():
    """(dotted name, path) of every module of the apps, migrations left out."""
    for app in FLOORS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imported_modules(module: str, path: Path):
    """(imported module, line) for every import statement of `module`, relative ones resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield ".".join([*base, node.module] if node.module else base), node.lineno
            else:
                yield node.module, node.lineno


def upward_imports():
    """(importer, imported, where) of each import of an app on the importer's floor or above."""
    for module, path in project_modules():
        app = module.partition(".")[0]
        for imported, line in imported_modules(module, path):
            target = imported.partition(".")[0]
            if target in FLOORS and target != app and FLOORS[target] >= FLOORS[app]:
                yield module, imported, f"{path.relative_to(ROOT)}:{line}"


def test_every_project_app_has_a_floor():
    ours = {config.label for config in apps.get_app_configs() if Path(config.path).parent == ROOT}
    assert ours == set(FLOORS)


def test_no_app_imports_an_app_on_its_floor_or_above():
    wrong = [f"{where}: {module} imports {imported}" for module, imported, where in upward_imports()]
    assert not wrong, "imports against the floors:\n" + "\n".join(wrong)


def test_nothing_below_the_chat_app_imports_it():
    assert not [where for _, imported, where in upward_imports() if imported.partition(".")[0] == "chat"]
