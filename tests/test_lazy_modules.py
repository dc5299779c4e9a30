"""glassnet.datasets, .plot, .classic and .data after a plain `import glassnet`, loaded lazily."""

import os
import subprocess
import sys

CODE = """
import sys, time
start = time.perf_counter()
import glassnet
elapsed = time.perf_counter() - start
loaded = [m for m in ("matplotlib", "glassnet.plot", "glassnet.classic", "glassnet.datasets")
          if m in sys.modules]
print(loaded)
print(glassnet.datasets.mnist.__name__, glassnet.classic.NeuralNetwork.__name__,
      glassnet.data.load_csv.__name__, callable(glassnet.plot.plot_history))
print("plot" in dir(glassnet), "matplotlib" in sys.modules)
print(elapsed)
"""


def _run(code, env=None):
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_modules_load_on_first_use():
    lines = _run(CODE)
    assert lines[0] == "[]"  # nothing heavy at import
    assert lines[1] == "glassnet.datasets.mnist NeuralNetwork load_csv True"
    assert lines[2] == "True False"  # touching glassnet.plot does not import matplotlib yet
    print("import glassnet took", lines[3], "s")  # measured, not asserted (timings vary)


def test_without_matplotlib_plot_fails_only_when_drawing():
    blocker = ("import sys\nclass Block:\n    def find_spec(self, name, path=None, target=None):\n"
               "        if name.split('.')[0] == 'matplotlib':\n"
               "            raise ImportError('no matplotlib here')\n"
               "sys.meta_path.insert(0, Block())\n")
    code = blocker + ("import glassnet\nfrom glassnet import plot\n"
                      "try:\n    plot.plot_history({'loss': [1.0]})\n"
                      "except ImportError as exc:\n    print(exc)\n")
    lines = _run(code)
    assert lines == ["glassnet.plot needs matplotlib: pip install 'glassnet[plot]' (or pip "
                     "install matplotlib)"]


KERAS_NAMES = """
import importlib.util
import glassnet
names = ("classic", "constraints", "data", "datasets", "ops", "plot", "regularizers")
present = [n for n in names if importlib.util.find_spec("glassnet." + n) is not None]
print([n for n in present if getattr(glassnet, n).__name__ != "glassnet." + n])
print([n for n in names if (n in dir(glassnet)) != (n in present)])
print([n for n in names if (n in glassnet.__all__) != (n in present)])
print([n for n in names if n not in present and hasattr(glassnet, n)])
print(hasattr(glassnet, "no_such_module"))
"""


def test_kerass_module_names_are_attributes_when_their_modules_exist():
    """regularizers, constraints and ops (built on other branches) are attributes (in dir and
    __all__) when present; when absent they are plain missing attributes, not import errors."""
    lines = _run(KERAS_NAMES)
    assert lines == ["[]", "[]", "[]", "[]", "False"]


def test_kerass_top_level_classes_come_from_their_modules():
    import glassnet

    assert glassnet.Layer is glassnet.layers.Layer and glassnet.Loss is glassnet.losses.Loss
    assert glassnet.Optimizer is glassnet.optimizers.Optimizer
    assert glassnet.Initializer is glassnet.initializers.Initializer
    for name, module in glassnet._LAZY_CLASSES.items():  # Metric, Regularizer, ...: once built
        present = hasattr(glassnet, module) and hasattr(getattr(glassnet, module), name)
        assert hasattr(glassnet, name) == present
