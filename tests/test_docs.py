"""Every rule is findable and documented: docstrings, the ODD description, the README's two commands."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import sim.rules
from sim.metrics import METRICS

ROOT = Path(__file__).resolve().parent.parent
ODD = (ROOT / "docs" / "ODD.md").read_text()


def rule_functions():
    mods = [importlib.import_module(f"sim.rules.{m.name}") for m in pkgutil.iter_modules(sim.rules.__path__)]
    mods.append(importlib.import_module("sim.policies"))
    for mod in mods:
        if mod.__name__.endswith("common"):
            continue
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ == mod.__name__ and not name.startswith("_"):
                yield mod, name, fn


@pytest.mark.parametrize("mod, name, fn", list(rule_functions()), ids=lambda x: getattr(x, "__name__", str(x)))
def test_rule_has_docstring_and_is_in_the_odd(mod, name, fn):
    assert fn.__doc__ and len(fn.__doc__.strip()) > 20, f"{mod.__name__}.{name} lacks a docstring"
    assert name in ODD, f"{mod.__name__}.{name} is not described in docs/ODD.md"


def test_rule_modules_name_their_theory():
    theories = {"work": "Karasek", "safety": "Edmondson", "learning": "Seligman", "motivation": "Self-Determination",
                "trust": "Mayer", "strain": "Job Demands-Resources", "social": "contagion"}
    for mod, word in theories.items():
        doc = importlib.import_module(f"sim.rules.{mod}").__doc__
        assert word.lower() in doc.lower(), (mod, word)


@pytest.mark.parametrize("heading", ["Purpose and patterns", "Entities, state variables and scales",
                                     "Process overview and scheduling", "Design concepts", "Initialization",
                                     "Input data", "Submodels"])
def test_odd_has_all_seven_elements(heading):
    assert re.search(rf"^## \d\. {re.escape(heading)}\s*$", ODD, re.M), heading


def test_odd_describes_every_metric():
    for m in METRICS:
        assert f"`{m}`" in ODD, m


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text().split("## ")[0]
    assert "make demo" in head and "make test" in head


FLOORS = ["errors", "safe_text", "safe_toml", "scenario_text", "params", "palette", "outdir", "jit", "state",
          "streams", "engine", "rules", "policies", "org", "budget", "agents", "events", "metrics", "people", "schedule",
          "model", "survey", "runner", "plots", "report", "ema", "experiment", "magnitudes", "validate",
          "pattern_sensitivity", "dashboard_guard", "dashboard", "app", "workshop", "team_report", "cli_texts",
          "scenario_list", "cli_common", "cli_research", "cli"]


def _floor(module: str) -> int:
    part = module.split(".")[1] if module.startswith("sim.") else module
    return FLOORS.index(part)


def test_lower_floors_never_import_higher_ones():
    import ast
    for path in sorted((ROOT / "sim").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts
        if parts[-1] == "__init__" and len(parts) == 2:
            continue
        mod = ".".join(parts)
        own = _floor(mod)
        pkg = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = list(pkg[: len(pkg) - node.level + 1])
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sim"):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("sim")]
            else:
                continue
            for name in names:
                if len(name.split(".")) < 2 or name.split(".")[1] not in FLOORS:
                    continue  # the package itself (e.g. sim.__version__)
                assert _floor(name) <= own, f"{mod} (floor {FLOORS[own]}) imports {name}"
