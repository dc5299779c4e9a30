"""What Jupyter shows for a model, a History and an explain result."""

import numpy as np

import glassnet
from glassnet.layers import Dense


def test_model_html_is_its_summary_table():
    model = glassnet.Sequential([Dense(4, activation="relu", input_shape=(3,), name="nb_hidden"),
                                 Dense(2, name="nb_out")], name="nb_model")
    html = model._repr_html_()
    assert html.count("<tr>") == 1 + 2
    assert "<tr><td>nb_hidden (Dense)</td><td>(None, 4)</td><td>16</td></tr>" in html
    assert "<tr><td>nb_out (Dense)</td><td>(None, 2)</td><td>10</td></tr>" in html
    assert "<caption>Model &quot;nb_model&quot;: 26 parameters</caption>" in html


def test_explain_result_renders_as_markdown():
    model = glassnet.Sequential([Dense(1, activation="sigmoid", input_shape=(2,), name="nb_o")],
                                dtype="float64")
    model.set_weights([np.array([[0.4], [0.5]]), np.array([0.6])])
    model.compile(glassnet.optimizers.SGD(0.5), "mse")
    md = model.explain([0.5, 1.0], [1.0])._repr_markdown_()
    assert "| o1 | 1.3 | 0.785834983 |" in md
    assert "| b_o1 | 0.6 | -0.072087243 | 0.636043622 |" in md
