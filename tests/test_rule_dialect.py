"""Every rule is written in the rule dialect (sim/engine.py): a pure function of numbers that uses arithmetic,
comparisons, other rules and the numpy functions of ``engine.RULE_NUMPY``, and no ``if`` on a value, so that it
runs on whole arrays and, compiled, on single numbers. A rule that breaks it is named with its line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim import engine

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "sim" / "rules").glob("*.py")) + [ROOT / "sim" / "policies.py"]
PYTHON_ONLY = {"resolve", "preset", "allocate_mix", "team_lead_knobs", "sick_leave_weeks"}  # never compiled
BUILTINS = {"min", "max", "abs", "float", "int", "len", "range"}


def dialect_errors(path: Path) -> list[str]:
    """One sentence per break of the dialect in the rule functions of ``path``."""
    tree = ast.parse(path.read_text())
    rules = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    imported = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) and n.level
                for a in n.names}
    aliases = {t.id for n in tree.body if isinstance(n, ast.Assign) for v, t in
               zip(n.value.elts if isinstance(n.value, ast.Tuple) else [n.value],
                   n.targets[0].elts if isinstance(n.targets[0], ast.Tuple) else n.targets)
               if isinstance(v, ast.Attribute) and getattr(v.value, "id", "") == "np" and v.attr in engine.RULE_NUMPY
               and isinstance(t, ast.Name)}   # e.g. _MAX = np.maximum
    rel = path.relative_to(ROOT)
    out = []
    for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name not in PYTHON_ONLY):
        for node in ast.walk(fn):
            where = f"{rel}:{getattr(node, 'lineno', fn.lineno)}: rule {fn.name}"
            if isinstance(node, (ast.If, ast.For, ast.While, ast.Try, ast.With)):
                out.append(f"{where} uses '{type(node).__name__.lower()}', which a rule may not (use np.where)")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "np" \
                    and isinstance(node.ctx, ast.Load) and node.attr not in engine.RULE_NUMPY:
                out.append(f"{where} calls np.{node.attr}, which a rule may not; allowed: "
                           f"{', '.join('np.' + n for n in engine.RULE_NUMPY)}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
                if name not in rules | imported | aliases | BUILTINS:
                    out.append(f"{where} calls {name}(), which is neither a rule nor allowed")
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_rule_is_in_the_dialect(path):
    errors = dialect_errors(path)
    assert not errors, "\n".join(errors)


def test_a_rule_outside_the_dialect_is_named_with_its_line(tmp_path):
    bad = tmp_path / "sim" / "rules" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("import numpy as np\n\n\ndef root(x):\n    return np.cbrt(x)\n\n\n"
                   "def pick(x):\n    if x > 0.5:\n        return x\n    return 0.0\n")
    global ROOT
    old, ROOT = ROOT, tmp_path
    try:
        errors = dialect_errors(bad)
    finally:
        ROOT = old
    assert errors[0].startswith("sim/rules/bad.py:5: rule root calls np.cbrt, which a rule may not; allowed:")
    assert errors[1] == "sim/rules/bad.py:9: rule pick uses 'if', which a rule may not (use np.where)"


def test_every_allowed_numpy_function_works_on_numbers_and_arrays():
    import numpy as np
    for name in engine.RULE_NUMPY:
        assert callable(getattr(np, name)) and callable(getattr(engine.SCALAR_NUMPY, name)), name
