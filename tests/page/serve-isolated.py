# www/ served cross-origin isolated (COOP and COEP headers), so that SharedArrayBuffer exists
# and TF.js's wasm backend can run two threads: `python3 serve-isolated.py PORT DIR`.
# Used by ./build.sh bench beside a plain http.server.
import functools
import http.server
import sys


class Isolated(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def log_message(self, *args):
        pass  # quiet, like the plain server run with its output discarded


port, directory = int(sys.argv[1]), sys.argv[2]
handler = functools.partial(Isolated, directory=directory)
http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
