"""The WSGI test client with what the admin pages also need: query strings and file uploads."""
from __future__ import annotations

import io
import uuid

from tests.webclient import Client


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """Gives (body, content type) of a multipart/form-data request."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class AdminClient(Client):
    """A Client whose paths may carry '?query' and whose POSTs may upload files."""

    def request(self, method, path, form=None, json_body=None, headers=None, files=None):
        path, _, query = path.partition("?")
        overrides = {"QUERY_STRING": query}
        if files:
            body, content_type = multipart(form or {}, files)
            overrides.update({"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)),
                              "wsgi.input": io.BytesIO(body)})
            form = None
        app = self.app

        def with_overrides(environ, start_response):
            environ.update(overrides)
            return app(environ, start_response)

        self.app = with_overrides
        try:
            return super().request(method, path, form=form, json_body=json_body,
                                   headers=headers)
        finally:
            self.app = app
