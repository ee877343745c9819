"""docs/analysis_example.ipynb executed as Jupyter does (nbclient and an IPython kernel, the `notebook` extra) on
the results of a small experiment: every cell runs and the tables it builds have the expected size."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from sim.experiment.analyze import analyze
from sim.experiment.run import run_experiment
from tests.test_experiment import SMALL

ROOT = Path(__file__).resolve().parent.parent


def test_the_notebook_executes_in_a_kernel(tmp_path):
    out = tmp_path / "nb"
    exp = tmp_path / "e.toml"
    exp.write_text(SMALL)
    run_experiment(exp, out, workers=1, progress=False)
    analyze(out)
    nb = nbformat.read(ROOT / "docs" / "analysis_example.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert 'RESULTS = "out/smoke"' in code[0].source
    code[0].source = code[0].source.replace('"out/smoke"', repr(str(out)))
    nb.cells.append(nbformat.v4.new_code_cell("print(len(runs), len(table))"))
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert nb.cells[-1].outputs[0]["text"].split() == ["12", "4"]
