"""What the emulators need to take uploads in the platforms' real shapes:
multipart/form-data parsed strictly (a client that gets the syntax wrong
must fail here, as it would on the platform) and a file's type from its
first bytes, as the platforms check it."""
import hashlib


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data; str() says why."""


def _disposition(headers):
    """name and filename of a part's Content-Disposition."""
    value = headers.get("content-disposition", "")
    if not value.startswith("form-data"):
        raise MultipartError("part without Content-Disposition: form-data")
    params = {}
    for item in value.split(";")[1:]:
        key, _, val = item.strip().partition("=")
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1]
        params[key.lower()] = val
    if "name" not in params:
        raise MultipartError("part without a name")
    return params["name"], params.get("filename")


def parse_multipart(content_type, body):
    """{name: {"filename", "content_type", "data"}} of a multipart body, or
    MultipartError: wrong content type, missing boundary, parts not closed."""
    if not content_type.startswith("multipart/form-data"):
        raise MultipartError("Content-Type is %r, not multipart/form-data" % content_type)
    boundary = None
    for item in content_type.split(";")[1:]:
        key, _, val = item.strip().partition("=")
        if key.lower() == "boundary":
            boundary = val.strip('"')
    if not boundary:
        raise MultipartError("multipart body without a boundary")
    delim = b"--" + boundary.encode()
    if not body.startswith(delim + b"\r\n"):
        raise MultipartError("body does not start with the boundary")
    if not body.endswith(delim + b"--\r\n") and not body.endswith(delim + b"--"):
        raise MultipartError("body does not end with the closing boundary")
    parts = {}
    chunks = body.split(b"\r\n" + delim)
    chunks[0] = chunks[0][len(delim):]
    for chunk in chunks:
        if chunk.startswith(b"--"):
            break
        if not chunk.startswith(b"\r\n"):
            raise MultipartError("boundary not followed by a line break")
        head, sep, data = chunk[2:].partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("part without a blank line after its headers")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if not colon:
                raise MultipartError("bad part header line %r" % line)
            headers[name.strip().lower()] = value.strip()
        name, filename = _disposition(headers)
        parts[name] = {"filename": filename, "content_type": headers.get("content-type"),
                       "data": data}
    return parts


def sniff(data):
    """The MIME type data's first bytes prove, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return None


def describe(part):
    """What the emulator keeps of an uploaded file, for its listing."""
    return {"name": part["filename"], "mime_type": part["content_type"],
            "size": len(part["data"]), "sha256": hashlib.sha256(part["data"]).hexdigest()}
