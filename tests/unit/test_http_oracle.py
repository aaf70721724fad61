"""The wire transport's HTTP response parser against h11 as an oracle, on hostile answers.

Hypothesis writes HTTP/1.x answers (interim 1xx answers, varied headers, Content-Length,
chunked or close-delimited bodies) and feeds them to ``Response`` in random pieces. h11 reads
the same pieces and is the judge:

- a valid answer: both agree on the final status, headers and body, and ``feed`` says
  "complete" exactly when h11 emits ``EndOfMessage`` (close-delimited: at ``eof()``);
- a mutated answer (one defect each, see ``MUTATIONS``): h11 must refuse it first (otherwise
  the mutation is not a defect and the generator is wrong), then ``Response`` must raise
  ``ConnectionException``. Only where h11 needed the end of the stream to notice (a truncated
  answer) may ``eof()`` instead answer False, which is how ``Response`` says "incomplete".

Every run is under a watchdog: a parser that loops forever fails instead of hanging the suite.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import h11
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pydynox._transport._response import Response
from pydynox.exceptions import ConnectionException

from ..hostile import watchdog

LIMIT = 1024 * 1024  # max_answer_bytes of the property tests: far above any generated answer
CRLF = b"\r\n"
TOKEN = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
TRAILER = "x-trailer-"  # names of trailer fields: a parser may or may not merge them in headers
FRAMING = {"content-length", "transfer-encoding"}
# Bytes of a field value other than white space: visible ASCII and obs-text (read as latin-1).
VISIBLE = bytes(range(0x21, 0x7F)) + bytes(range(0x80, 0x100))


# -- the answers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    raw: bytes
    close_delimited: bool
    mutation: str | None


def random_case(draw: st.DrawFn, word: str) -> bytes:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(
        c.upper() if flip else c.lower() for c, flip in zip(word, flips, strict=True)
    ).encode()


names = st.text(TOKEN, min_size=1, max_size=12).filter(
    lambda n: n.lower() not in FRAMING and not n.lower().startswith(TRAILER)
)
ows = st.sampled_from([b"", b" ", b"\t", b"  ", b" \t "])
words = st.binary(min_size=1, max_size=8).map(lambda b: bytes(VISIBLE[x % len(VISIBLE)] for x in b))


@st.composite
def values(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(words, max_size=4))
    gaps = [draw(st.sampled_from([b" ", b"\t", b"  ", b" \t"])) for _ in parts]
    value = b""
    for i, part in enumerate(parts):
        value += (gaps[i] if i else b"") + part
    return value


@st.composite
def header_lines(draw: st.DrawFn, name: st.SearchStrategy[str] = names) -> bytes:
    return draw(name).encode() + b":" + draw(ows) + draw(values()) + draw(ows)


REASON = VISIBLE + b" \t"
reasons = st.one_of(
    st.none(),
    st.sampled_from([b"OK", b"Continue", b"Internal Server Error", b""]),
    st.binary(max_size=20).map(lambda b: bytes(REASON[x % len(REASON)] for x in b)),
)


def status_line(version: bytes, code: bytes, reason: bytes | None) -> bytes:
    return b"HTTP/" + version + b" " + code + (b"" if reason is None else b" " + reason)


def hex_size(draw: st.DrawFn, size: int) -> bytes:
    digits = format(size, "x")
    return b"0" * draw(st.integers(0, 3)) + random_case(draw, digits)


chunk_extensions = st.one_of(
    st.just(b""),
    st.sampled_from([b";", b";a=b", b';name="v a l"', b";a=1;b=2", b";x"]),
    st.text(TOKEN + ' =";', max_size=12).map(lambda s: b";" + s.encode()),
)

MUTATIONS: dict[str, str] = {
    "chunk-negative": "chunk size with a minus sign (-6)",
    "chunk-garbage": "chunk size that is not hexadecimal",
    "chunk-overflow": "chunk size of more than 20 hex digits",
    "chunk-no-crlf": "chunk data not followed by CRLF (or longer than its size)",
    "length-garbage": "Content-Length that is not a decimal number",
    "length-negative": "negative Content-Length",
    "length-overflow": "Content-Length of more than 20 digits",
    "length-conflict": "two different Content-Length values",
    "status-digits": "status code that is not exactly 3 digits",
    "status-line": "malformed status line",
    "no-colon": "header or trailer line without a colon",
    "control-char": "control character or NUL in a header name or value",
    "transfer-coding": "Transfer-Encoding other than one chunked",
    "truncated": "answer cut short, then the connection closed",
}
GARBAGE_LENGTHS = [b"abc", b"1_0", b"+5", b"0x10", b"5 5", b"", b"5.0", b"1e3", b"\xd9\xa5", b"5;"]
GARBAGE_SIZES = [b"zz", b"0x1", b"1_0", b" 1", b"", b"+1", b"g", b"1 1", b"\x001", b"1\x00"]
BAD_CODES = [b"2000", b"20", b"2x0", b"abc", b"", b"-20", b"+20", b"200.", b"2 00", b"\xb2\xb2\xb2"]
BAD_STATUS_LINES = [
    b"HTTP/1.1  200 OK",
    b"HTTP/1.1\t200 OK",
    b"HTTP/11 200 OK",
    b"HTTPS/1.1 200 OK",
    b"http/1.1 200 OK",
    b"SSH-2.0-OpenSSH_8.9",
    b"",
    b" HTTP/1.1 200 OK",
    b"HTTP/1.1 200 OK\x00",
    b"HTTP/1.1 200 O\rK",
    b"HTTP/1.1",
]
TRANSFER_CODINGS = [b"gzip", b"identity", b"gzip, chunked", b"chunked, gzip", b"deflate", b"x"]


@st.composite
def answers(draw: st.DrawFn, mutation: str | None = None) -> Answer:
    m = mutation or ""
    if m.startswith("chunk-") or m == "transfer-coding":
        version, framing = b"1.1", "chunked"
    else:
        version = draw(st.sampled_from([b"1.1", b"1.0"]))
        kinds = ["length", "chunked", "close"] if version == b"1.1" else ["length", "close"]
        if m.startswith("length-"):
            kinds = ["length"]
        elif m == "truncated":
            kinds = [k for k in kinds if k != "close"]  # a cut close-delimited body is whole
        framing = draw(st.sampled_from(kinds))
    body = draw(st.binary(min_size=1 if m == "chunk-no-crlf" else 0, max_size=300))

    # Interim answers, each a head of its own.
    interims = []
    for _ in range(draw(st.integers(0, 3))):
        code = draw(st.sampled_from([b"100", b"102", b"103"]))
        lines = [status_line(b"1.1", code, draw(reasons))]
        lines += draw(st.lists(header_lines(), max_size=3))
        interims.append(lines)

    # The final head, without its framing header yet.
    code = str(draw(st.integers(200, 599).filter(lambda c: c not in (204, 304)))).encode()
    if m == "status-digits":
        code = draw(st.sampled_from(BAD_CODES))
    final = [status_line(version, code, draw(reasons))]
    fields = draw(st.lists(header_lines(), max_size=6))
    # HTTP/1.0 "Connection: keep-alive" is left out: RFC 9112 lets a client keep such a
    # connection, h11 never does, so the two may rightly differ on keep_alive there.
    connection = draw(
        st.sampled_from([None, "close", "keep-alive"] if version == b"1.1" else [None, "close"])
    )
    if connection is not None:
        field = random_case(draw, "connection") + b": " + random_case(draw, connection)
        fields.insert(draw(st.integers(0, len(fields))), field)

    framing_fields: list[bytes] = []
    payload = body
    if framing == "length":
        name = random_case(draw, "content-length")
        length = b"0" * draw(st.integers(0, 2)) + str(len(body)).encode()
        if m == "length-garbage":
            length = draw(st.sampled_from(GARBAGE_LENGTHS))
        elif m == "length-negative":
            length = b"-" + str(len(body)).encode()
        elif m == "length-overflow":
            length = b"9" * draw(st.integers(21, 30))
        framing_fields.append(name + b":" + draw(ows) + length + draw(ows))
        if m == "length-conflict":
            other = str(len(body) + draw(st.integers(1, 1000))).encode()
            if draw(st.booleans()):
                framing_fields.append(random_case(draw, "content-length") + b": " + other)
            else:
                framing_fields[0] = name + b": " + length + b", " + other
            if draw(st.booleans()):
                framing_fields.reverse()
    elif framing == "chunked":
        coding = random_case(draw, "chunked")
        if m == "transfer-coding":
            coding = draw(st.sampled_from([*TRANSFER_CODINGS, b"chunked"]))
            if coding == b"chunked":  # twice: two Transfer-Encoding fields
                framing_fields.append(b"Transfer-Encoding: chunked")
        framing_fields.append(random_case(draw, "transfer-encoding") + b":" + draw(ows) + coding)
        payload = draw(chunked_body(body, m))

    # Mutations of the head lines.
    heads = [*interims, final]
    if m == "status-line":
        heads[draw(st.integers(0, len(heads) - 1))][0] = draw(st.sampled_from(BAD_STATUS_LINES))
    for field in framing_fields:
        fields.insert(draw(st.integers(0, len(fields))), field)
    if m == "no-colon" and (framing != "chunked" or draw(st.booleans())):
        line = draw(names).encode() + draw(st.sampled_from([b"", b" value", b"\tx"]))
        fields.insert(draw(st.integers(0, len(fields))), line)
    elif m == "no-colon":  # in the trailer section
        line = b"x-trailer-bad" + draw(st.sampled_from([b"", b" value"]))
        payload = payload[:-2] + line + CRLF + CRLF
    if m == "control-char":
        bad = draw(control_field(draw(names)))
        fields.insert(draw(st.integers(0, len(fields))), bad)
    final[1:] = fields

    raw = b"".join(CRLF.join(lines) + CRLF + CRLF for lines in heads) + payload
    if m == "truncated":
        raw = raw[: draw(st.integers(1, len(raw) - 1))]
    return Answer(raw, framing == "close", mutation)


@st.composite
def chunked_body(draw: st.DrawFn, body: bytes, m: str) -> bytes:
    pieces = []
    start = 0
    while start < len(body):
        end = start + draw(st.integers(1, len(body) - start))
        pieces.append(body[start:end])
        start = end
    sizes = [hex_size(draw, len(p)) for p in pieces] + [b"0" * draw(st.integers(1, 3))]
    ends = [CRLF for _ in pieces]
    target = draw(st.integers(0, len(sizes) - 1))  # the chunk a chunk-size mutation spoils
    if m == "chunk-negative":
        sizes[target] = b"-" + sizes[target]
    elif m == "chunk-garbage":
        sizes[target] = draw(st.sampled_from(GARBAGE_SIZES))
    elif m == "chunk-overflow":
        sizes[target] = b"1" + b"0" * draw(st.integers(20, 30))
    elif m == "chunk-no-crlf":
        i = draw(st.integers(0, len(pieces) - 1))
        if len(pieces[i]) > 1 and draw(st.booleans()):
            sizes[i] = format(len(pieces[i]) - 1, "x").encode()  # more data than announced
        else:
            ends[i] = draw(st.sampled_from([b"", b"\n", b"\r", b"XX", b"\n\r", b" \r\n"]))
    out = b"".join(
        sizes[i] + draw(chunk_extensions) + CRLF + piece + ends[i] for i, piece in enumerate(pieces)
    )
    trailers = [
        draw(header_lines(st.integers(0, 99).map(lambda n: f"{TRAILER}{n}")))
        for _ in range(draw(st.integers(0, 2)))
    ]
    out += sizes[-1] + draw(chunk_extensions) + CRLF
    return out + b"".join(t + CRLF for t in trailers) + CRLF


@st.composite
def control_field(draw: st.DrawFn, name: str) -> bytes:
    """A header line with a control character h11 refuses: anywhere in the name, or NUL, CR,
    VT or FF in the value. h11 lets the other controls of a value pass (RFC 9110 does not),
    so those are left out: with h11 as the judge, they are not a defect."""
    value = draw(values())
    if draw(st.booleans()):
        bad = bytes([draw(st.sampled_from([*range(0x00, 0x0A), *range(0x0B, 0x20), 0x7F]))])
        # A tab opening the line would make it an obs-fold continuation, which h11 accepts.
        i = draw(st.integers(1 if bad == b"\t" else 0, len(name)))
        return name[:i].encode() + bad + name[i:].encode() + b": " + value
    bad = draw(st.sampled_from([b"\x00", b"\r", b"\x0b", b"\x0c"]))
    i = draw(st.integers(0, len(value)))
    return name.encode() + b": " + value[:i] + bad + value[i:]


# One byte at a time, or cut at random offsets.
splits = st.one_of(st.none(), st.lists(st.integers(min_value=1), max_size=8))


def cut(raw: bytes, offsets: list[int] | None) -> list[bytes]:
    if offsets is None:
        return [raw[i : i + 1] for i in range(len(raw))]
    points = [*sorted({o % len(raw) for o in offsets} - {0}), len(raw)]
    return [raw[a:b] for a, b in zip([0, *points[:-1]], points, strict=True)]


# -- the two parsers -----------------------------------------------------------------------


@dataclass
class Outcome:
    """What a parser made of the pieces: ``done`` is the index of the piece that completed
    the answer (``len(pieces)``: the end of the stream did), ``keep_alive`` whether the
    connection may carry another request, ``refused`` the error, and ``at_eof`` says the
    verdict needed the end of the stream."""

    status: int = 0
    headers: dict[str, str] | None = None
    body: bytes = b""
    done: int | None = None
    keep_alive: bool | None = None
    refused: str | None = None
    at_eof: bool = False


def joined(fields: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for name, value in fields:
        if not name.startswith(TRAILER):
            # h11 lower-cases the value of Transfer-Encoding: compare its case-insensitively.
            out.setdefault(name, []).append(value.lower() if name in FRAMING else value)
    return {name: ", ".join(v) for name, v in out.items()}


def h11_reads(pieces: list[bytes]) -> Outcome:
    conn = h11.Connection(h11.CLIENT)
    conn.send(
        h11.Request(method="POST", target="/", headers=[("Host", "db"), ("Content-Length", "0")])
    )
    conn.send(h11.EndOfMessage())
    final: h11.Response | None = None
    body = bytearray()
    for index, data in enumerate([*pieces, b""]):  # b"": the server closed the connection
        try:
            conn.receive_data(data)
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    break
                if isinstance(event, h11.Response):
                    final = event
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    assert final is not None
                    fields = [(n.decode(), v.decode("latin-1")) for n, v in final.headers]
                    # h11 says MUST_CLOSE when the answer forbids reuse; a body that ended
                    # with the connection (index == len(pieces)) cannot be reused either.
                    keep = conn.their_state is h11.DONE and index < len(pieces)
                    return Outcome(final.status_code, joined(fields), bytes(body), index, keep)
                elif isinstance(event, h11.ConnectionClosed):
                    return Outcome(refused="closed before the end", at_eof=True)
        except h11.RemoteProtocolError as error:
            return Outcome(refused=str(error), at_eof=index == len(pieces))
    raise AssertionError("h11 neither finished nor refused")


def ours_reads(pieces: list[bytes], limit: int = LIMIT) -> Outcome:
    response = Response(limit=limit)

    def outcome(done: int) -> Outcome:
        fields = list(response.headers.items())
        return Outcome(response.status, joined(fields), response.body, done, response.keep_alive)

    with watchdog(1, "Response.feed"):
        try:
            for index, data in enumerate(pieces):
                if response.feed(data):
                    return outcome(index)
            if response.eof():
                return outcome(len(pieces))
        except ConnectionException as error:
            assert error.sent is True, "a refused answer came after the request was sent"
            return Outcome(refused=f"ConnectionException: {error}")
    return Outcome(refused="incomplete", at_eof=True)


# -- the properties ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(answers(), splits)
def test_valid_answers_parse_as_h11_reads_them(answer: Answer, offsets: list[int] | None) -> None:
    pieces = cut(answer.raw, offsets)
    oracle = h11_reads(pieces)
    assert oracle.refused is None, f"the generator wrote an invalid answer: {oracle.refused}"
    assert oracle.done == (len(pieces) if answer.close_delimited else len(pieces) - 1)
    ours = ours_reads(pieces)
    assert ours.refused is None, f"refused a valid answer: {ours.refused}"
    assert (ours.status, ours.body) == (oracle.status, oracle.body)
    assert ours.headers == oracle.headers
    assert ours.done == oracle.done, "completion reported at another piece than h11's"
    assert ours.keep_alive == oracle.keep_alive


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@settings(max_examples=25, deadline=None)
@given(data=st.data(), offsets=splits)
def test_invalid_answers_are_refused(
    mutation: str, data: st.DataObject, offsets: list[int] | None
) -> None:
    answer = data.draw(answers(mutation), label="answer")
    pieces = cut(answer.raw, offsets)
    oracle = h11_reads(pieces)
    assert oracle.refused is not None, f"h11 accepts the {mutation} mutation"
    ours = ours_reads(pieces)
    assert ours.done is None, f"accepted an answer with a {MUTATIONS[mutation]}"
    if not oracle.at_eof:  # the defect is in the bytes: raising is the only right answer
        assert ours.refused is not None and ours.refused.startswith("ConnectionException"), (
            f"{MUTATIONS[mutation]}: {ours.refused}"
        )


# -- examples ------------------------------------------------------------------------------

BODY = b'{"Item":{"pk":{"S":"a"}}}'
PLAIN = b"HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\n" + BODY


def test_five_thousand_interim_answers_are_skipped() -> None:
    raw = b"HTTP/1.1 100 Continue\r\n\r\n" * 5000 + PLAIN
    for pieces in ([raw], cut(raw, list(range(1, len(raw), 4093)))):
        ours = ours_reads(pieces)
        assert (ours.refused, ours.status, ours.body) == (None, 200, BODY)
        assert ours.done == len(pieces) - 1


def framed(body: bytes, framing: str, chunk: int = 8192) -> bytes:
    if framing == "length":
        return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    if framing == "close":
        return b"HTTP/1.1 200 OK\r\n\r\n" + body
    chunks = [body[i : i + chunk] for i in range(0, len(body), chunk)]
    return (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
        + b"0\r\n\r\n"
    )


@pytest.mark.parametrize("piece", [16384, 4096])
@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_a_16_mb_answer_fed_in_pieces_is_parsed_in_linear_time(framing: str, piece: int) -> None:
    body = bytes(range(256)) * (16 * 1024 * 1024 // 256)
    raw = framed(body, framing)
    pieces = [raw[i : i + piece] for i in range(0, len(raw), piece)]
    response = Response(limit=64 * 1024 * 1024)
    with watchdog(30, "parsing 16 MB"):
        start = time.perf_counter()
        done = [response.feed(data) for data in pieces]
        elapsed = time.perf_counter() - start
    assert done == [False] * (len(pieces) - 1) + [True]
    assert response.body == body
    assert elapsed < 2.0, f"{elapsed:.1f} s for 16 MB: the parser is not linear"


@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
def test_an_answer_over_the_limit_is_refused_naming_max_answer_bytes(framing: str) -> None:
    small = ours_reads([framed(b"x" * 500, framing)], limit=1024)
    assert (small.refused, small.body) == (None, b"x" * 500)  # under the limit: fine
    with pytest.raises(ConnectionException, match=r"max_answer_bytes.*1024|1024.*max_answer"):
        response = Response(limit=1024)
        response.feed(framed(b"x" * 2000, framing))
        response.eof()


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_an_endless_body_stops_at_the_limit(framing: str) -> None:
    limit = 64 * 1024
    head = (
        framed(b"", framing)[: -len(b"0\r\n\r\n")] if framing == "chunked" else framed(b"", framing)
    )
    piece = b"1000\r\n" + b"y" * 4096 + b"\r\n" if framing == "chunked" else b"y" * 4096
    response = Response(limit=limit)
    fed = 0
    with (
        watchdog(5, "an endless body"),
        pytest.raises(ConnectionException, match="max_answer_bytes"),
    ):
        response.feed(head)
        fed = len(head)
        while fed < 100 * limit:
            response.feed(piece)
            fed += len(piece)
    # Some slack: a parser may count the body only, or notice one piece late.
    assert fed <= limit + len(head) + 2 * len(piece), f"{fed} bytes taken, limit {limit}"


@pytest.mark.parametrize("line", [b"X-A: b\r\n", b"a"], ids=["many-fields", "one-long-line"])
def test_an_endless_head_is_refused(line: bytes) -> None:
    response = Response(limit=64 * 1024 * 1024)  # far away: the head has a cap of its own
    piece = line * (4096 // len(line))
    fed = 0
    with watchdog(5, "an endless head"), pytest.raises(ConnectionException):
        response.feed(b"HTTP/1.1 200 OK\r\n")
        while fed < 16 * 1024 * 1024:
            response.feed(piece)
            fed += len(piece)
    assert fed < 1024 * 1024, f"{fed} bytes of head taken before refusing"
