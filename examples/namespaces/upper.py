#!/usr/bin/env python3
"""An example Nomia namespace, `upper`, speaking nomia-namespace/1 by hand.

JSON-RPC 2.0 over stdin/stdout, each message framed like the Language Server
Protocol: `Content-Length: N\\r\\n\\r\\n` then N bytes of UTF-8 JSON. See
docs/spec/protocol.md. Python 3 standard library only.

Names:
  upper:text?s=hello   a value: the upper-cased string (HELLO)
  upper:file(in: F)    a file: F's content upper-cased
  upper:crash          exits with status 3 while realizing
  upper:hang           never answers realize
  upper:garbage        answers realize with a malformed result
"""
import json
import os
import sys
import time

PROTOCOL = "nomia-namespace/1"
INVALID_PARAMS = -32602
METHOD_NOT_FOUND = -32601
FAILED = -32000

stdin = sys.stdin.buffer
stdout = sys.stdout.buffer


def read_message():
    """One framed message, or None at the end of the input."""
    length = None
    while True:
        line = stdin.readline()
        if not line:
            return None
        line = line.rstrip(b"\r\n")
        if not line:
            break
        key, _, value = line.decode("ascii").partition(":")
        if key.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise ValueError("a message without Content-Length")
    return json.loads(stdin.read(length).decode("utf-8"))


def send(message):
    body = json.dumps(message).encode("utf-8")
    stdout.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stdout.flush()


def log(line):
    """A line for the log of the node being realized."""
    send({"jsonrpc": "2.0", "method": "log", "params": {"line": line}})


class Failure(Exception):
    def __init__(self, code, message, hint=None):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


NAMES = "text?s=…, file(in), crash, hang, garbage"


def usage(request, what, hint=None):
    return Failure(INVALID_PARAMS, "upper:%s %s" % (request["nameId"], what), hint)


def string_param(request, key):
    for p in request["params"]:
        if p["key"] == key:
            if p["value"]["kind"] != "String":
                raise usage(request, "parameter `%s` must be a plain value" % key)
            return p["value"]["value"]
    return None


def only_params(request, allowed):
    for p in request["params"]:
        if p["key"] not in allowed:
            raise usage(request, "does not take the parameter `%s`" % p["key"])


def leaf(type_):
    return {"type": type_}


def describe(request):
    name = request["nameId"]
    if name == "text":
        only_params(request, ["s"])
        return {"inputs": {}, "outputs": {"out": leaf("value")}, "defaultOutput": "out", "contextual": False}
    if name == "file":
        only_params(request, [])
        return {"inputs": {"in": leaf("file")}, "outputs": {"out": leaf("file")}, "defaultOutput": "out", "contextual": False}
    if name in ("crash", "hang", "garbage"):
        only_params(request, [])
        return {"inputs": {}, "outputs": {"out": leaf("value")}, "defaultOutput": "out", "contextual": False}
    raise usage(request, "is not a name of this namespace", "the upper namespace has: " + NAMES)


def realize(params):
    request, inputs, out_dir = params["request"], params["inputs"], params["outDir"]
    describe(request)  # refuses unknown names and parameters
    name = request["nameId"]
    if name == "text":
        s = string_param(request, "s")
        if s is None:
            raise usage(request, "needs the parameter `s`", "e.g. upper:text?s=hello")
        log("upper-casing %d characters" % len(s))
        return {"outputs": {"out": {"type": "value", "kind": "value", "value": s.upper()}}}
    if name == "file":
        source = inputs.get("in")
        if source is None or source.get("kind") != "object":
            raise usage(request, "needs a file as its input `in`", "e.g. upper:file(in: filesystem:by-content?sha256=…)")
        with open(source["path"], "rb") as f:
            data = f.read()
        target = os.path.join(out_dir, "out")
        with open(target, "wb") as f:
            f.write(data.upper())
        return {
            "outputs": {"out": {"type": "file", "kind": "object", "path": target}},
            "log": ["upper-cased %d bytes" % len(data)],
        }
    if name == "crash":
        sys.stderr.write("upper: crashing on purpose, as upper:crash does\n")
        sys.stderr.flush()
        sys.exit(3)
    if name == "hang":
        while True:
            time.sleep(3600)
    if name == "garbage":
        return {"outputs": {"out": {"kind": "sideways", "value": 42}}}
    raise usage(request, "is not a name of this namespace", "the upper namespace has: " + NAMES)


def handle(method, params):
    if method == "initialize":
        theirs = str(params.get("protocol", ""))
        if theirs.split("/")[-1].split(".")[0] != PROTOCOL.split("/")[-1]:
            raise Failure(INVALID_PARAMS, "this namespace speaks %s, not %s" % (PROTOCOL, theirs))
        return {"protocol": PROTOCOL, "id": "upper", "version": "1.0.0"}
    if method == "describe":
        return describe(params)
    if method == "reduce":
        return {"name": None}
    if method == "realize":
        return realize(params)
    raise Failure(METHOD_NOT_FOUND, "upper does not implement %s" % method)


def main():
    while True:
        message = read_message()
        if message is None:
            return 0
        if "id" not in message:
            continue  # a notification: nothing the client sends needs an answer
        reply = {"jsonrpc": "2.0", "id": message["id"]}
        if message.get("method") == "shutdown":
            reply["result"] = None
            send(reply)
            return 0
        try:
            reply["result"] = handle(message.get("method"), message.get("params") or {})
        except Failure as e:
            reply["error"] = {"code": e.code, "message": e.message}
            if e.hint:
                reply["error"]["data"] = {"hint": e.hint}
        except Exception as e:  # a bug here, or a file that cannot be read: say so rather than die
            reply["error"] = {"code": FAILED, "message": "upper failed: %s" % e}
        send(reply)


if __name__ == "__main__":
    sys.exit(main())
