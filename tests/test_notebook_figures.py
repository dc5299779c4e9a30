"""A notebook run by a real Jupyter kernel (nbclient): every plot function's figure shows as
a PNG with no %matplotlib magic, once, assigned to a name or not; explain shows as HTML."""

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

CELLS = [
    """import numpy as np, glassnet
from glassnet import plot
from glassnet.layers import Dense
glassnet.utils.set_random_seed(3)
x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float); y = np.array([0, 1, 1, 0])
m = glassnet.Sequential([Dense(3, activation="tanh", input_shape=(2,), name="nb_h"),
                         Dense(1, activation="sigmoid", name="nb_o")])
m.compile(glassnet.optimizers.SGD(0.5, momentum=0.9), "binary_crossentropy")
history = m.fit(x, y, epochs=50, batch_size=4, verbose=0)""",
    "plot.plot_history(history)",
    "fig = plot.plot_network(m)",
    "plot.decision_boundary(m, x, y, resolution=20)",
    "fig = plot.confusion_matrix([0, 1, 1], [0, 1, 0])",
    "plot.image_grid(np.zeros((4, 5, 5)), [0, 1, 2, 3], rows=2, cols=2);",
    "glassnet.explain(m, x, y, weight='nb_h/kernel[1, 2]')",
    "m.fit(x, y, epochs=4, batch_size=4, verbose=0, callbacks=[plot.watch(m, (x, y), every=2)]);",
]


def test_figures_and_explanations_show_in_a_notebook(monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's own default backend
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    outputs = [cell.outputs for cell in nb.cells]
    assert not any(o.get("output_type") == "error" for out in outputs for o in out)

    def pngs(out):
        return sum("image/png" in o.get("data", {}) for o in out)

    assert [pngs(out) for out in outputs[1:6]] == [1, 1, 1, 1, 1]
    assert all(o.get("data", {}).get("text/plain", "").startswith("<GlassFigure") or
               "image/png" not in o.get("data", {}) for out in outputs[1:6] for o in out)
    html = [o["data"]["text/html"] for o in outputs[6] if "text/html" in o.get("data", {})]
    assert len(html) == 1 and "nb_h/kernel[1, 2]" in html[0] and "<style>" in html[0]
    live = [o for o in outputs[7] if "image/png" in o.get("data", {})]
    assert len(live) == 1  # one display, updated in place each redraw
