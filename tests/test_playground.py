"""The playground without a browser: its data, settings, runs, script and server."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

import glassnet
from glassnet.datasets import toy
from glassnet.errors import ConfigError
from glassnet.playground import api, code, config, data, server
from glassnet.playground.session import Run

pytest.importorskip("safetensors")


# -- data -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*data.CLASSIFY, *data.REGRESS])
def test_sets_are_seeded_and_in_range(name):
    X, y = data.make_data(name, samples=300, noise=0.2, seed=3)
    X2, y2 = data.make_data(name, samples=300, noise=0.2, seed=3)
    X3, _ = data.make_data(name, samples=300, noise=0.2, seed=4)
    assert X.shape == (300, 2) and np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, X3)
    if name in data.REGRESS:
        assert y.dtype == np.float64 and -1 <= y.min() < 0 < y.max() <= 1
    else:
        assert set(np.unique(y)) == {0, 1} and abs(y.mean() - 0.5) < 0.15


def test_noise_free_labels_follow_the_rule():
    X, y = data.make_data("circle", samples=400, noise=0, seed=0)
    assert np.array_equal(y, (np.hypot(X[:, 0], X[:, 1]) < 2.5).astype(int))
    X, y = data.make_data("xor", samples=400, noise=0, seed=0)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))
    assert np.abs(X).min() >= 0.3  # TensorFlow Playground's padding around the axes
    X, y = data.make_data("plane", samples=50, noise=0, seed=0)
    np.testing.assert_allclose(y, np.clip((X[:, 0] + X[:, 1]) / 10, -1, 1))  # clamped, as TFP


def test_gates_are_the_seeds_truth_tables():
    for gate in ("and", "or", "nand", "nor"):
        X, y = data.make_data(gate, noise=0)
        tX, ty = toy.logic_gate(gate)
        assert np.array_equal(X, tX) and np.array_equal(y, ty.ravel())
    X, y = data.make_data("xor-gate", noise=0)
    assert y.tolist() == [0, 1, 1, 0]
    (a, _), (c, _) = data.split(X, y, 0.5, seed=0)  # four rows: train and test are the table
    assert np.array_equal(a, X) and np.array_equal(c, X)
    X, y = data.make_data("and", samples=40, noise=0.1, seed=0)
    assert X.shape == (40, 2) and set(np.unique(y)) == {0, 1}


def test_split_features_and_batches():
    X, y = data.make_data("spiral", samples=100, seed=1)
    (xr, _), (xt, _) = data.split(X, y, 0.7, seed=1)
    assert len(xr) == 70 and len(xt) == 30
    assert sorted(map(tuple, np.vstack([xr, xt]).tolist())) == sorted(map(tuple, X.tolist()))
    f = data.features(np.array([[2.0, 3.0]]), ["x2", "sinx1", "x1x2", "x1sq"])
    np.testing.assert_allclose(f, [[3.0, np.sin(2.0), 6.0, 4.0]])
    stream = data.batches(7, 3, seed=0)
    epoch = [next(stream) for _ in range(3)]
    assert [len(b) for b in epoch] == [3, 3, 1]
    assert sorted(np.concatenate(epoch).tolist()) == list(range(7))
    with pytest.raises(ConfigError, match="features must be some of"):
        data.features(X, ["x3"])
    with pytest.raises(ConfigError, match="unknown data set 'moons'"):
        data.make_data("moons")


# -- settings -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("setting", "message"), [
    ({"lr": "fast"}, "lr must be a number"),
    ({"hidden": "4,x"}, "hidden must be neuron counts"),
    ({"hidden": [65]}, "hidden layer 1 has 65 neurons; give each 1 to 64"),
    ({"hidden": [1] * 33}, "33 hidden layers; the page draws at most 32"),
    ({"features": []}, "features must be one or more"),
    ({"optimizer": "lbfgs"}, "optimizer 'lbfgs' is not one of sgd, adam, rmsprop"),
    ({"noise": 0.9}, "noise must be a number from 0 to 0.5"),
    ({"colour": 1}, "unknown setting 'colour'"),
])
def test_bad_settings_name_the_setting(setting, message):
    with pytest.raises(ConfigError, match=message):
        config.normalize(setting)


def test_strings_from_the_url_are_read():
    c = config.normalize({"hidden": "", "features": "x2,x1,x1sq", "seed": "7", "step": "3"})
    assert c["hidden"] == [] and c["features"] == ["x1", "x2", "x1sq"]
    assert (c["seed"], c["step"]) == (7, 3)


# -- a run ------------------------------------------------------------------------------------
def test_run_trains_the_batches_the_script_trains():
    run = Run({"data": "gauss", "hidden": [3, 2], "optimizer": "adam", "lr": 0.05,
               "batch_size": 16, "seed": 2})
    assert run.batch_size == 16 and run.steps_per_epoch == 16  # 250 rows
    state = run.train_epoch()
    assert state["step"] == 16 and state["epoch"] == 1 and state["test_loss"] < 0.69
    script = code.python_script(run)
    namespace = {}
    exec(compile(script, "playground_run.py", "exec"), namespace)
    for mine, theirs in zip(run.model.get_weights(), namespace["model"].get_weights(),
                            strict=True):
        assert np.array_equal(mine, theirs)
    assert np.array_equal(namespace["next_rows"], run.next_rows)


def test_explain_of_the_next_batch_is_the_step_it_makes():
    run = Run({"data": "xor", "hidden": [4], "seed": 1, "step": 3})
    chain = run.explain(weight="h1/kernel[1, 2]")
    rows = run.next_rows
    mine = glassnet.explain(run.model, run.f_train[rows], run.y_train[rows],
                            weight="h1/kernel[1, 2]")
    assert chain["text"] == str(mine) and chain["value"] == mine.value
    run.train(1)
    assert run.model.layers[0].kernel[1, 2] == pytest.approx(chain["update"]["new"],
                                                             rel=1e-12)
    neuron = run.explain(neuron="output[0]")
    assert neuron["update"] is None and neuron["quantity"] == "output[0]"


def test_stochastic_full_batch_and_regression():
    run = Run({"data": "plane", "batch": "full", "hidden": []})
    assert run.batch_size == 250 and run.config["loss"] == "mse" and run.task == "regression"
    assert run.meta()["layers"] == [{"name": "output", "units": 1, "activation": "linear"}]
    run = Run({"data": "circle", "batch": "stochastic"})
    assert run.batch_size == 1 and run.config["batch_size"] == 1
    run = Run({"data": "circle", "loss": "mse"})
    assert run.model.loss.name in ("mean_squared_error", "mse")


def test_frame_pictures_and_history():
    run = Run({"data": "circle", "hidden": [3]})
    frame = run.train(4) | run.frame()
    import base64

    neurons = np.frombuffer(base64.b64decode(frame["neurons"]), np.uint8)
    assert neurons.size == 4 * 32 * 32  # 3 hidden + 1 output
    output = np.frombuffer(base64.b64decode(frame["output"]), np.uint8)
    assert output.size == 64 * 64 and output.min() < output.max()
    assert frame["history"][-1][0] == 4 and len(frame["weights"]) == 2
    assert run.frame(since=frame["history_size"])["history"] == []


# -- the server ---------------------------------------------------------------------------------
@pytest.fixture
def live():
    s = server.start(port=0, max_upload=1000)
    yield s
    s.close()


def _call(s, path, body=None, token=True, raw=None):
    sep = "&" if "?" in path else "?"
    url = f"http://127.0.0.1:{s.server_address[1]}{path}" + (f"{sep}token={s.token}" if token
                                                             else "")
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else
                                     "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_token_guards_every_request(live):
    assert live.server_address[0] == "127.0.0.1"
    for path in ("/", "/static/app.js", "/api/options"):
        status, body = _call(live, path, token=False)
        assert status == 403 and b"token" in body
    status, body = _call(live, "/api/options?token=wrong", token=False)
    assert status == 403
    status, body = _call(live, "/")
    assert status == 200 and live.token.encode() in body and b"<canvas" in body


def test_bad_requests_are_answered_and_the_server_goes_on(live, monkeypatch):
    assert _call(live, "/api/run", raw=b"{not json")[0] == 400
    status, body = _call(live, "/api/run", {"sid": "page1", "config": {"hidden": "0"}})
    assert status == 400 and "hidden layer 1 has 0 neurons" in json.loads(body)["error"]
    assert _call(live, "/api/step", {"sid": "nobody"})[0] == 400
    assert _call(live, "/api/nothing")[0] == 400
    assert _call(live, "/elsewhere")[0] == 404

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "post", broken)
    status, body = _call(live, "/api/run", {"sid": "page1"})
    assert status == 500 and "internal error (RuntimeError: boom)" in json.loads(body)["error"]
    monkeypatch.undo()
    status, body = _call(live, "/api/run", {"sid": "page1", "config": {"data": "xor"}})
    assert status == 200 and json.loads(body)["meta"]["config"]["data"] == "xor"
    status, body = _call(live, "/api/step", {"sid": "page1", "steps": 3})
    assert status == 200 and json.loads(body)["step"] == 3


def test_uploads_are_limited_and_read_by_glassnets_reader(live):
    status, body = _call(live, "/api/upload?name=big.csv", raw=b"1,2,3\n" * 200)
    assert status == 413 and "1,200 bytes" in json.loads(body)["error"]
    status, body = _call(live, "/api/upload?name=bad.csv", raw=b"x1,x2,c\n1,2,a\n3,oops,b\n")
    assert status == 400
    assert json.loads(body)["error"] == ("bad.csv:3:3: text 'oops' in feature column 2 ('x2'); "
                                         "it must hold numbers")
    status, body = _call(live, "/api/upload?name=three.csv", raw=b"a,b,c,d\n1,2,3,x\n")
    assert status == 400 and "has 3 feature column(s)" in json.loads(body)["error"]
    rows = "".join(f"{i % 7},{i % 5},{'pqr'[i % 3]}\n" for i in range(30)).encode()
    status, body = _call(live, "/api/upload?name=../../etc/k.csv", raw=rows)
    reply = json.loads(body)
    assert status == 200 and reply["classes"] == ["p", "q", "r"] and reply["name"] == "k.csv"
    status, body = _call(live, "/api/run", {"sid": "page2", "config": {"data": reply["data"]}})
    meta = json.loads(body)["meta"]
    assert meta["task"] == "multiclass" and meta["layers"][-1]["units"] == 3
    status, body = _call(live, "/api/data?sid=page2")
    X, y = glassnet.data.load_csv(_saved(live, body))
    assert X.shape == (30, 2) and y.tolist() == [i % 3 for i in range(30)]


def _saved(s, body):
    path = os.path.join(s.folder.name, "downloaded.csv")
    with open(path, "wb") as f:
        f.write(body)
    return path


def test_model_and_code_downloads(live):
    _call(live, "/api/run", {"sid": "page3", "config": {"data": "xor", "step": 5}})
    status, body = _call(live, "/api/model?sid=page3")
    path = os.path.join(live.folder.name, "m.safetensors")
    with open(path, "wb") as f:
        f.write(body)
    loaded = glassnet.io.load_model(path)
    run = live.runs["page3"]
    for a, b in zip(loaded.get_weights(), run.model.get_weights(), strict=True):
        assert np.array_equal(a, b)
    status, body = _call(live, "/api/code?sid=page3")
    assert status == 200 and b"SEED, STEPS, BATCH_SIZE = 0, 5, 10" in body


def test_command_prints_the_url_first_and_stops_on_ctrl_c(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.path.join(os.path.dirname(__file__), "..", "src")}
    proc = subprocess.Popen([sys.executable, "-m", "glassnet", "playground", "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url
        with urllib.request.urlopen(url.replace("/?", "/api/options?"), timeout=30) as reply:
            assert "circle" in json.load(reply)["data"]
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "glassnet playground: stopped" in err
    assert "Traceback" not in err


def test_the_script_of_an_uploaded_table_reads_the_data_download(live, tmp_path):
    rng = np.random.default_rng(5)
    rows = "u,v,t\n" + "".join(f"{a:.5f},{b:.5f},{a * b + 0.1 * rng.normal():.5f}\n"
                               for a, b in rng.uniform(-2, 2, (30, 2)))
    _, body = _call(live, "/api/upload?name=mine.csv", raw=rows.encode())
    reply = json.loads(body)
    assert reply["classes"] is None and reply["rows"] == 30
    config = {"data": reply["data"], "hidden": [5], "features": ["x1", "x2", "x1x2"],
              "optimizer": "adam", "lr": 0.02, "batch_size": 7, "seed": 9}
    _call(live, "/api/run", {"sid": "page4", "config": config})
    _call(live, "/api/step", {"sid": "page4", "steps": 11})
    (tmp_path / "data.csv").write_bytes(_call(live, "/api/data?sid=page4")[1])
    script = _call(live, "/api/code?sid=page4")[1].decode()
    assert "glassnet.data.load_csv('data.csv')" in script
    tail = "\nnp_weights = model.get_weights()\nimport numpy\nnumpy.savez('w.npz', *np_weights)\n"
    env = {**os.environ, "PYTHONPATH": os.path.join(os.path.dirname(__file__), "..", "src"),
           "GLASSNET_KERNELS": os.environ.get("GLASSNET_KERNELS") or "numpy"}
    done = subprocess.run([sys.executable, "-c", script + tail], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("step 11: train loss ")
    saved = np.load(tmp_path / "w.npz")
    run = live.runs["page4"]
    assert run.task == "regression"
    for i, w in enumerate(run.model.get_weights()):
        assert np.array_equal(saved[f"arr_{i}"], w)


def test_a_diverging_run_answers_with_glassnets_message(live):
    _call(live, "/api/run", {"sid": "page5", "config": {"data": "plane", "lr": 10,
                                                         "hidden": [8, 8],
                                                         "activation": "relu"}})
    status, body = _call(live, "/api/step", {"sid": "page5", "steps": 250})
    assert status == 400
    assert "the loss became inf" in json.loads(body)["error"]
    status, body = _call(live, "/api/frame", {"sid": "page5"})  # the run is still drawn
    assert status == 200 and json.loads(body)["step"] > 0
    status, body = _call(live, "/api/step", {"sid": "page5"})
    assert status == 400 and "this run diverged (at step " in json.loads(body)["error"]
    assert "lower the learning rate and press reset" in json.loads(body)["error"]


def test_a_page_that_goes_away_mid_request_is_no_error(live, capfd):
    body = json.dumps({"sid": "page6", "config": {"hidden": [8] * 8, "step": 300}}).encode()
    with socket.create_connection(live.server_address) as conn:
        conn.sendall(b"POST /api/run?token=" + live.token.encode() + b" HTTP/1.1\r\n"
                     b"Host: x\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
                     + body)
        conn.shutdown(socket.SHUT_RDWR)
    assert _call(live, "/api/options")[0] == 200
    for _ in range(100):  # the run finishes and its answer meets a closed socket
        if "page6" in live.runs:
            break
        time.sleep(0.05)
    assert _call(live, "/api/step", {"sid": "page6", "steps": 1})[0] == 200
    assert "Traceback" not in capfd.readouterr().err
