"""`briefkit serve`: a live preview of a workspace's briefs on 127.0.0.1, rebuilt and reloaded on every save.

The pieces: `preview` keeps every brief built in memory (on the main thread, where the sandbox's limits hold)
as `state` records (pages, figures against the limits, problems); `depends` says which briefs a changed file
affects (the build cache's own division of inputs); `watch` hands over saved files; `server` answers the
browser (the standard library's threading HTTP server, Server-Sent Events for live reload); `pages` writes the
index and a brief's frame; `static/` holds the one script and style sheet those pages load. Nothing is written
to the workspace.
"""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit.errors import BriefkitError, plural

if TYPE_CHECKING:
    from briefkit.serve.preview import Preview


def run(root: Path, names: Sequence[str], port: int, open_browser: bool = False, debug: bool = False) -> int:
    """Serve until Ctrl-C (which the command line turns into exit status 130, like a build's)."""
    from briefkit.pdf import soffice
    from briefkit.serve.pages import shown
    from briefkit.serve.preview import Preview
    from briefkit.serve.server import listen
    from briefkit.serve.watch import Watcher

    preview = Preview(root, names, debug)
    if names and not preview.paths:
        raise BriefkitError(preview.finding)
    server = listen(port, preview, soffice() is not None)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="briefkit-http",
                              daemon=True)
    watcher = Watcher(_folders(preview), preview.changed)
    preview.on_reopen = lambda: watcher.follow(_folders(preview))
    thread.start()
    url = f"http://127.0.0.1:{server.port}/"
    print(f"briefkit: serving {plural(len(preview.paths), 'brief')} of {shown(str(preview.ws.root))} at {url} "
          "(Ctrl-C to stop)", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        preview.run()
    finally:
        watcher.stop()
        preview.close()
        server.shutdown()
        server.server_close()
    return 0


def _folders(preview: Preview) -> list[Path]:
    """What to watch: the workspace folder, every layer (libraries and built-ins may lie elsewhere), and the
    folders of briefs named outside it."""
    ws = preview.ws
    return [ws.root, *(layer.root for layer in ws.layers), *(path.parent for path in preview.paths.values())]
