"""The glassnet playground: watch a real glassnet network learn in the browser.

``glassnet playground`` (or :func:`serve` from Python or a notebook) starts a local web app:
TensorFlow Playground's data sets and the seeds' logic gates (or your own CSV), any network,
and the network trains in glassnet in this Python process while the page draws it. Click a
weight to read its chain rule for the next batch (:func:`glassnet.explain`); "show code" gives
the script that reproduces the run weight for weight; the page's URL holds the whole state.

It listens on 127.0.0.1 only, and every request needs the random token in the URL it prints.
Only the standard library serves it (the model download needs ``safetensors``, in the
``glassnet[playground]`` extra).

Example
-------
>>> from glassnet import playground
>>> server = playground.start(port=0)  # serve() is start() + open the browser + wait for Ctrl-C
>>> server.url.startswith("http://127.0.0.1:")
True
>>> server.close()
"""

from __future__ import annotations

import sys
import webbrowser

from .server import MAX_UPLOAD, PlaygroundServer, start

__all__ = ["MAX_UPLOAD", "PlaygroundServer", "serve", "start"]


def serve(port: int = 0, open_browser: bool = True, max_upload: int = MAX_UPLOAD) -> None:
    """Serve the playground until Ctrl-C; the first line printed is the page's URL.

    Parameters
    ----------
    port : int
        The port on 127.0.0.1 (0: a free one).
    open_browser : bool
        Open the page in the default browser.
    max_upload : int
        The largest CSV file, in bytes, the page may upload.
    """
    from .._checks import positive_int

    port = positive_int(port, "serve: port", minimum=0)
    max_upload = positive_int(max_upload, "serve: max_upload")
    server = PlaygroundServer(port, max_upload)
    print(server.url, flush=True)
    print("glassnet playground: open the URL above; Ctrl-C stops it", file=sys.stderr,
          flush=True)
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("glassnet playground: stopped", file=sys.stderr, flush=True)
    finally:
        server.server_close()
        server.folder.cleanup()
