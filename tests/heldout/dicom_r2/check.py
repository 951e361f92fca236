#!/usr/bin/python3
"""Leak checker for the held-out DICOM de-identification corpus (dicom-r2).

Round 2 reuses round 1's checker unchanged in its approach and extends it
(see "r2 additions" below).

    check.py CORPUS_OUT [--planted planted.json] [--json REPORT] [--quiet]
    check.py CORPUS --input-mode      (self-test: every identifier found, and
                                       only in the files it was planted in)

Scans every byte of every file under CORPUS_OUT (recursively: the released
tree, quarantine/, deid-report.json, anything else), plus every file's path,
for the identifiers listed in planted.json (written by gen.py).

For each file the scanner builds "blobs":
  * the raw file bytes;
  * the inflated data set when the file uses the Deflated transfer syntax;
  * every DICOM element value (raw bytes, before any charset decoding),
    walked recursively through sequences, file meta, the preamble and
    private blocks (pydicom, force=True);
  * encapsulated pixel data: every fragment, and all fragments concatenated
    (so a string split across two fragments is seen); the APPn / COM
    segments of every JPEG whose marker chain validly reaches SOS, and the
    bytes after EOI; JPEG 2000 COM markers and JP2 xml/uuid boxes;
  * PDF: streams (FlateDecode / ASCIIHex / ASCII85 inflated), literal
    strings (escapes resolved), hex strings, TJ arrays joined;
  * anywhere: complete zlib streams, gzip members, base64 runs (recursively,
    4 levels);
  * JSON files: every string value (after \\uXXXX unescaping).
Each blob is decoded as Latin-1, UTF-8, cp1252, UTF-16 (LE/BE, both
alignments) and ISO 2022 (JIS X 0208/0212/0201, KS X 1001, ISO-IR
100/101/109/110/126/127/138/144/148 G1 sets), then normalised (invisible
characters dropped, NFKD, accents stripped, special letters mapped, case
folded, non-alphanumerics collapsed to one space). Needles: "word" (whole
normalised words), "text" (normalised substrings), "digits" (>= 8 digits,
separators ' .-/():' removed), "bytes_hex" (raw bytes, legacy CJK forms).

r2 additions: blobs with high bytes are also decoded as ISO 8859-2/-5/-7
and GB18030; ISO 2022 is also decoded with a JIS X 0201 katakana G1 (ISO
2022 IR 13 as first value); every text view is also read after HTML tag
stripping + entity decoding, percent-decoding, RTF \\'xx, quoted-printable
and \\uXXXX unescaping, and with Cyrillic/Greek homoglyphs folded to Latin;
a "joined" view drops the DICOM delimiters \\ ^ = (a name or a number split
across values or components); JPEG 2000 tile-part headers are walked for
COM markers and jp2i / lbl / url boxes are read; "2.25.<digits>" UIDs (the
form of the tool's new UIDs) are blanked before digit matching; needles of
kind "joined" (apostrophe- and space-less spellings, split digit strings)
are matched as whole words / digit runs in every view. --input-mode also
reports planted files in which an identifier was NOT found.

Output: one block per leaked identifier (category, planted-in, where found:
output file and element path / container), then
    LEAKED-RELEASED r of n planted identifiers (outside quarantine/); q more only in quarantine/
    LEAKED k of n planted identifiers (files quarantined: q, files missing: m)
where k counts identifiers found anywhere under CORPUS_OUT (quarantine
included) and r those found outside quarantine/.
Exit status 1 when k > 0, 0 otherwise, 2 on usage error.
"""
import base64
import binascii
import html
import gzip
import hashlib
import io
import json
import os
import re
import sys
import unicodedata
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# --------------------------------------------------------------------------
# normalisation

_COMBINING = re.compile(
    '[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff'
    '\ufe20-\ufe2f\u3099\u309a]')
_SPECIAL = str.maketrans({
    'œ': 'oe', 'Œ': 'oe', 'æ': 'ae', 'Æ': 'ae', 'ø': 'o', 'Ø': 'o',
    'ł': 'l', 'Ł': 'l', 'đ': 'd', 'Đ': 'd', 'ð': 'd', 'þ': 'th',
    'ı': 'i', 'ß': 'ss', 'ſ': 's', '\u2019': "'",
})
_NONALNUM = re.compile(r'[\W_]+')
_DIGITJOIN = re.compile(r'(?<=\d)[ \t.\-/():]{1,3}(?=\d)')
_DIGITJOIN_X = re.compile(r'(?<=\d)[ \t.\-/():\\^=]{1,3}(?=\d)')
_TOOL_UID = re.compile(r'(?<![\d.])2\.25\.\d{10,}')


_INVISIBLE = re.compile('[\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e'
                        '\u2060-\u2064\u2066-\u206f\ufeff]')


def fold(s):
    """NFKD, invisible characters (soft hyphen, zero-width) dropped,
    combining marks removed, special letters mapped, case folded."""
    s = _INVISIBLE.sub('', s)
    s = unicodedata.normalize('NFKD', s)
    s = _COMBINING.sub('', s)
    s = s.translate(_SPECIAL)
    return s.casefold()


def norm(s):
    """fold() then every run of non letters/digits -> one space."""
    return _NONALNUM.sub(' ', fold(s))


def compact(s, extended=False):
    """digits separated by 1-3 of ' .-/():' joined (phone numbers, dates);
    extended: also across the DICOM delimiters \\ ^ = ; the tool's own
    2.25.<digits> UIDs are blanked first."""
    s = unicodedata.normalize('NFKD', s)
    s = _TOOL_UID.sub(' ', s)
    return (_DIGITJOIN_X if extended else _DIGITJOIN).sub('', s)


# --------------------------------------------------------------------------
# decoders

_U16LE = re.compile(rb'(?:[\x09\x0a\x0d\x20-\xff][\x00-\x04\x30\x4e-\x9f\xac-\xd7\xff]){3,}')
_U16BE = re.compile(rb'(?:[\x00-\x04\x30\x4e-\x9f\xac-\xd7\xff][\x09\x0a\x0d\x20-\xff]){3,}')


def utf16_runs(b):
    out = []
    for rx, enc in ((_U16LE, 'utf-16-le'), (_U16BE, 'utf-16-be')):
        for m in rx.finditer(b):
            out.append(m.group(0).decode(enc, 'replace'))
    return out


_LATIN_CJK = re.compile('(?<=[A-Za-z0-9\u00c0-\u024f])(?=[\u3400-\u9fff\uac00-\ud7af])|'
                        '(?<=[\u3400-\u9fff\uac00-\ud7af])(?=[A-Za-z0-9\u00c0-\u024f])')


def utf16_all(b):
    """Decode UTF-16 text runs (LE and BE) at both byte alignments.
    r2: each run also with a boundary between Latin and CJK characters (a
    UTF-16 run often continues into following binary bytes that decode as
    CJK ideographs and would glue onto the last word)."""
    runs = utf16_runs(b) + utf16_runs(b[1:])
    return runs + [_LATIN_CJK.sub(' ', r) for r in runs if _LATIN_CJK.search(r)]


_G1_SETS = {
    b'\x1b-A': 'latin-1', b'\x1b-B': 'iso8859-2', b'\x1b-C': 'iso8859-3',
    b'\x1b-D': 'iso8859-4', b'\x1b-F': 'iso8859-7', b'\x1b-G': 'iso8859-6',
    b'\x1b-H': 'iso8859-8', b'\x1b-L': 'iso8859-5', b'\x1b-M': 'iso8859-9',
    b'\x1b-T': 'tis-620', b'\x1b)I': 'shift_jis', b'\x1b$)C': 'euc_kr',
    b'\x1b$)A': 'gb2312',
}
_G0_SETS = {
    b'\x1b(B': 'ascii', b'\x1b(J': 'ascii', b'\x1b$B': 'jis0208',
    b'\x1b$@': 'jis0208', b'\x1b$(D': 'jis0212',
}
_ESC = re.compile(rb'\x1b(?:\$\(D|\$\)C|\$\)A|\$B|\$@|\(B|\(J|\)I|-[A-Z])')


def iso2022_decode(b, g1_initial='latin-1'):
    """Charset-agnostic ISO 2022 decoder in the DICOM style (escape
    sequences may appear anywhere; ^ = \\ CR LF reset nothing here).
    r2: g1_initial='jisx0201' for ISO 2022 IR 13 as first value."""
    if not _ESC.search(b):
        return None
    out = []
    g0 = 'ascii'
    g1 = g1_initial
    pos = 0
    for m in list(_ESC.finditer(b)) + [None]:
        end = m.start() if m else len(b)
        seg = b[pos:end]
        if seg:
            out.append(_decode_seg(seg, g0, g1))
        if m is None:
            break
        esc = m.group(0)
        if esc in _G0_SETS:
            g0 = _G0_SETS[esc]
        elif esc in _G1_SETS:
            g1 = _G1_SETS[esc]
        pos = m.end()
    return ''.join(out)


_RUNS = re.compile(rb'[\x80-\xff]+|[\x21-\x7e]+|[\x00-\x20\x7f]+')


def _decode_seg(seg, g0, g1):
    res = []
    for m in _RUNS.finditer(seg):
        r = m.group(0)
        c = r[0]
        if c >= 0x80:
            if g1 == 'jisx0201':
                res.append(''.join(chr(0xFF61 + x - 0xA1) if 0xA1 <= x <= 0xDF else chr(x) for x in r))
                continue
            codec = g1 if g1 in ('shift_jis', 'euc_kr', 'gb2312') else g1
            res.append(r.decode(codec, 'replace'))
        elif 0x21 <= c <= 0x7e and g0 in ('jis0208', 'jis0212'):
            n = len(r) - len(r) % 2
            pre = b'\x1b$B' if g0 == 'jis0208' else b'\x1b$(D'
            codec = 'iso2022_jp' if g0 == 'jis0208' else 'iso2022_jp_2'
            res.append((pre + r[:n] + b'\x1b(B').decode(codec, 'replace'))
            if n < len(r):
                res.append(chr(r[-1]))
        else:
            res.append(r.decode('latin-1'))
    return ''.join(res)


_HIGH_CODECS = ('iso8859_2', 'iso8859_5', 'iso8859_7', 'gb18030')
_HTML_TAG = re.compile(r'<[^<>]{0,200}>')
_PCT = re.compile(r'(?:%[0-9A-Fa-f]{2})+')
_RTF = re.compile(r"\\'([0-9a-fA-F]{2})")
_QP = re.compile(r'(?:=[0-9A-F]{2})+')
_UESC = re.compile(r'\\u([0-9a-fA-F]{4})')
_HOMOGLYPHS = str.maketrans({
    'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's',
    'ԁ': 'd', 'ӏ': 'l', 'к': 'k', 'м': 'm', 'н': 'h', 'т': 't', 'в': 'b',
    'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T',
    'Х': 'X', 'У': 'Y', 'І': 'I', 'Ј': 'J', 'Ѕ': 'S',
    'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O',
    'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X', 'ο': 'o', 'ν': 'v', 'ι': 'i', 'α': 'a', 'κ': 'k'})


def _unescape_views(t):
    """r2: views of a text after undoing markup / transfer encodings."""
    out = []
    if '<' in t or '&' in t:
        out.append(html.unescape(_HTML_TAG.sub('', t)))
    if '%' in t:
        out.append(_PCT.sub(lambda m: bytes.fromhex(m.group(0).replace('%', '')).decode('utf-8', 'replace'), t))
    if "\\'" in t:
        out.append(_RTF.sub(lambda m: bytes([int(m.group(1), 16)]).decode('cp1252', 'replace'), t))
    if '=' in t and _QP.search(t):
        out.append(_QP.sub(lambda m: bytes.fromhex(m.group(0).replace('=', '')).decode('utf-8', 'replace'), t))
    if '\\u' in t:
        out.append(_UESC.sub(lambda m: chr(int(m.group(1), 16)), t))
    return out


def text_views(b):
    """All plausible text decodings of a byte string."""
    views = [b.decode('latin-1')]
    high = any(x >= 0x80 for x in b[:1 << 20]) or len(b) > (1 << 20)
    if high:
        views.append(b.decode('utf-8', 'replace'))
        if re.search(rb'[\x80-\x9f]', b):
            views.append(b.decode('cp1252', 'replace'))
        if len(b) <= (1 << 21):
            for cd in _HIGH_CODECS:
                views.append(b.decode(cd, 'replace'))
    if b'\x00' in b:
        views.extend(utf16_all(b))
    iso = iso2022_decode(b)
    if iso is not None:
        views.append(iso)
        views.append(iso2022_decode(b, 'jisx0201'))
    extra = []
    for v in views[:2]:
        extra.extend(_unescape_views(v))
    views.extend(extra)
    homo = [v.translate(_HOMOGLYPHS) for v in views if re.search('[\u0370-\u04ff]', v)]
    views.extend(homo)
    return views


# --------------------------------------------------------------------------
# derived blobs (containers)

_ZLIB_HDR = re.compile(rb'\x78[\x01\x5e\x9c\xda]')
_B64 = re.compile(rb'(?:[A-Za-z0-9+/]{4}){6,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?')
_PDF_STREAM = re.compile(rb'stream\r?\n')
_PDF_HEX = re.compile(rb'(?<!<)<([0-9A-Fa-f\s]{4,})>(?!>)')
_PDF_LIT = re.compile(rb'\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)', re.S)
_PDF_TJ = re.compile(rb'\[((?:\s*(?:\((?:[^()\\]|\\.)*\)|-?[\d.]+))*)\s*\]\s*TJ', re.S)


def _inflate(data, wbits, complete=False):
    try:
        d = zlib.decompressobj(wbits)
        out = d.decompress(data, 1 << 26)
        if complete and not d.eof:
            return None
        return out if len(out) > 0 else None
    except zlib.error:
        return None


def pdf_unescape(s):
    out = bytearray()
    i = 0
    n = len(s)
    esc = {ord('n'): 10, ord('r'): 13, ord('t'): 9, ord('b'): 8, ord('f'): 12,
           ord('('): 40, ord(')'): 41, ord('\\'): 92}
    while i < n:
        c = s[i]
        if c == 0x5c and i + 1 < n:
            d = s[i + 1]
            if d in esc:
                out.append(esc[d])
                i += 2
                continue
            if 0x30 <= d <= 0x37:
                j = i + 1
                k = 0
                while j < n and k < 3 and 0x30 <= s[j] <= 0x37:
                    j += 1
                    k += 1
                out.append(int(s[i + 1:j], 8) & 0xff)
                i = j
                continue
            if d in (10, 13):
                i += 2
                continue
            out.append(d)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def pdf_blobs(b, label):
    """Streams, strings and TJ arrays of a PDF (or of a PDF content stream)."""
    out = []
    if b.startswith(b'%PDF') or b'%PDF-' in b[:1024]:
        for m in _PDF_STREAM.finditer(b):
            start = m.end()
            end = b.find(b'endstream', start)
            if end < 0:
                continue
            data = b[start:end]
            dic = b[max(0, m.start() - 400):m.start()]
            dec = None
            if b'FlateDecode' in dic or b'/Fl' in dic:
                dec = _inflate(data, 15) or _inflate(data, -15)
            elif b'ASCIIHexDecode' in dic:
                try:
                    dec = binascii.unhexlify(re.sub(rb'[^0-9A-Fa-f]', b'', data.split(b'>')[0]))
                except Exception:
                    dec = None
            elif b'ASCII85Decode' in dic:
                try:
                    dec = base64.a85decode(data.strip(), adobe=data.strip().startswith(b'<~'))
                except Exception:
                    dec = None
            if dec:
                out.append(('%s/pdf-stream@%d(inflated)' % (label, start), dec))
                out.extend(pdf_strings(dec, '%s/pdf-stream@%d' % (label, start)))
            else:
                out.extend(pdf_strings(data, '%s/pdf-stream@%d' % (label, start)))
        out.extend(pdf_strings(b, label + '/pdf'))
    return out


def pdf_strings(b, label):
    out = []
    for m in _PDF_HEX.finditer(b):
        h = re.sub(rb'\s', b'', m.group(1))
        if len(h) % 2:
            h += b'0'
        try:
            out.append((label + '/hexstring', binascii.unhexlify(h)))
        except Exception:
            pass
    lits = []
    for m in _PDF_LIT.finditer(b):
        lits.append(pdf_unescape(m.group(0)[1:-1]))
    if lits:
        out.append((label + '/literal-strings', b'\n'.join(lits)))
    for m in _PDF_TJ.finditer(b):
        parts = re.findall(rb'\((?:[^()\\]|\\.)*\)', m.group(1), re.S)
        joined = b''.join(pdf_unescape(p[1:-1]) for p in parts)
        out.append((label + '/TJ-joined', joined))
    return out


_JPEG_OK = set(range(0xE0, 0xF0)) | {0xFE, 0xDB, 0xC4, 0xDD, 0xDA, 0xCC, 0xDC, 0xDE, 0xDF} | \
    (set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}) | set(range(0xF0, 0xFE))


def jpeg_blobs(b, label):
    """Marker segments (APPn, COM, and bytes after EOI) of every plausible
    JPEG (SOI followed by a valid chain of marker segments) found in b."""
    out = []
    pos = 0
    count = 0
    while True:
        i = b.find(b'\xff\xd8\xff', pos)
        if i < 0 or count > 256:
            break
        pos = i + 3
        j = i + 2
        segs = []
        valid = False
        while j + 4 <= len(b):
            if b[j] != 0xff:
                break
            mk = b[j + 1]
            if mk == 0xff:
                j += 1
                continue
            if mk not in _JPEG_OK:
                break
            ln = int.from_bytes(b[j + 2:j + 4], 'big')
            if ln < 2 or j + 2 + ln > len(b):
                break
            payload = b[j + 4:j + 2 + ln]
            if mk == 0xfe or 0xe0 <= mk <= 0xef:
                name = 'COM' if mk == 0xfe else 'APP%d' % (mk - 0xe0)
                segs.append(('%s/jpeg@%d/%s' % (label, i, name), payload))
            if mk == 0xda:
                valid = True
                k = b.find(b'\xff\xd9', j + 2 + ln)
                if k >= 0:
                    tail = b[k + 2:]
                    nxt = tail.find(b'\xff\xd8\xff')
                    if nxt >= 0:
                        tail = tail[:nxt]
                    if tail.strip(b'\x00'):
                        segs.append(('%s/jpeg@%d/after-EOI' % (label, i), tail))
                break
            j += 2 + ln
        if valid:               # a real JPEG reaches SOS through valid segments
            count += 1
            out.extend(segs)
    return out


def j2k_blobs(b, label):
    out = []
    pos = 0
    while True:
        i = b.find(b'\xff\x4f\xff\x51', pos)
        if i < 0:
            break
        j = i + 2
        while j + 4 <= len(b) and b[j] == 0xff and b[j + 1] != 0x90:
            ln = int.from_bytes(b[j + 2:j + 4], 'big')
            if b[j + 1] == 0x64:
                out.append(('%s/j2k@%d/COM' % (label, i), b[j + 6:j + 2 + ln]))
            j += 2 + ln
        # r2: tile-part headers (SOT ... SOD), COM markers there too
        tp = 0
        while j + 12 <= len(b) and b[j:j + 2] == b'\xff\x90' and tp < 4096:
            tp += 1
            psot = int.from_bytes(b[j + 6:j + 10], 'big')
            k = j + 12
            while k + 4 <= len(b) and b[k] == 0xff and b[k + 1] not in (0x93, 0x90, 0xd9):
                ln = int.from_bytes(b[k + 2:k + 4], 'big')
                if b[k + 1] == 0x64:
                    out.append(('%s/j2k@%d/tile-part%d/COM' % (label, i, tp), b[k + 6:k + 2 + ln]))
                k += 2 + max(ln, 2)
            if psot == 0:
                break
            j += psot
        pos = i + 4
    # JP2 boxes: xml, uuid, free text (r2: jp2i, lbl, url)
    for box in (b'xml ', b'uuid', b'jp2i', b'lbl ', b'url '):
        k = b.find(box)
        while k >= 4:
            ln = int.from_bytes(b[k - 4:k], 'big')
            if 8 <= ln < len(b):
                out.append(('%s/jp2-box-%s' % (label, box.decode().strip()), b[k + 4:k - 4 + ln]))
            k = b.find(box, k + 4)
    return out


def derive(b, label, depth=0, seen=None):
    """Yield (label, bytes) for b and every container found inside it."""
    if seen is None:
        seen = set()
    key = (len(b), hash(b))
    if key in seen:
        return
    seen.add(key)
    yield label, b
    if depth >= 4 or len(b) < 8:
        return
    kids = []
    # zlib streams
    for m in _ZLIB_HDR.finditer(b):
        if (b[m.start()] * 256 + b[m.start() + 1]) % 31:
            continue
        dec = _inflate(b[m.start():], 15, complete=True)
        if dec and len(dec) >= 4:
            kids.append(('%s/zlib@%d' % (label, m.start()), dec))
    # gzip members
    pos = 0
    while True:
        i = b.find(b'\x1f\x8b\x08', pos)
        if i < 0:
            break
        try:
            dec = gzip.GzipFile(fileobj=io.BytesIO(b[i:])).read()
            kids.append(('%s/gzip@%d' % (label, i), dec))
        except Exception:
            dec = _inflate(b[i:], 31)
            if dec:
                kids.append(('%s/gzip@%d' % (label, i), dec))
        pos = i + 3
    # base64 runs
    for m in _B64.finditer(b):
        s = m.group(0)
        try:
            dec = base64.b64decode(s + b'=' * (-len(s) % 4))
        except Exception:
            continue
        if len(dec) >= 12:
            kids.append(('%s/base64@%d' % (label, m.start()), dec))
    if b'%PDF' in b[:2048]:
        kids.extend(pdf_blobs(b[b.find(b'%PDF'):], label))
    if b'\xff\xd8\xff' in b:
        kids.extend(jpeg_blobs(b, label))
    if b'\xff\x4f\xff\x51' in b or b'jP  ' in b[:64]:
        kids.extend(j2k_blobs(b, label))
    for lab, kb in kids:
        yield from derive(kb, lab, depth + 1, seen)


# --------------------------------------------------------------------------
# planted identifiers and matching

class Ident:
    __slots__ = ('id', 'category', 'value', 'text', 'digits', 'bytes', 'word', 'files', 'jdigits')

    def __init__(self, d):
        self.id = d['id']
        self.category = d['category']
        self.value = d['value']
        self.text = [t for t in d.get('needles', {}).get('text', [])]
        self.word = [t for t in d.get('needles', {}).get('word', [])]
        self.digits = [t for t in d.get('needles', {}).get('digits', [])]
        # r2: "joined" needles: words (matched in every view incl. the joined one)
        # or digit strings (matched across the DICOM delimiters too)
        jn = d.get('needles', {}).get('joined', [])
        self.word += [t for t in jn if not t.isdigit() and t not in self.word]
        self.jdigits = [t for t in jn if t.isdigit()] + [t for t in self.digits]
        self.bytes = [bytes.fromhex(h) for h in d.get('needles', {}).get('bytes_hex', [])]
        self.files = d.get('files', [])


class Matcher:
    def __init__(self, idents):
        self.idents = idents

    def search_views(self, b, idents=None):
        """Return set of ident ids found in the blob b (memoised)."""
        if idents is None:
            key = (len(b), hashlib.sha1(b).digest())
            memo = self.__dict__.setdefault('_memo', {})
            if key not in memo:
                memo[key] = self._search(b, self.idents)
            return memo[key]
        return self._search(b, idents)

    def _search(self, b, idents):
        """All decodings of b are normalised and joined with a separator that
        no needle can span (needles are letters, digits and single spaces)."""
        found = set()
        views = text_views(b)
        # r2: the joined view (DICOM delimiters \\ ^ = removed)
        joined = [re.sub(r'[\\^=]', '', v) for v in views if re.search(r'[\\^=]', v)]
        # U+02AC is a letter (kept by norm) that no needle contains: a hard boundary
        big = ' ' + norm(' \u02ac '.join(views + joined)) + ' '
        tokens = set(big.split())
        digit_runs = '\x01'.join(_DIGITRUN.findall(compact('\x01'.join(views))))
        digit_runs_x = '\x01'.join(_DIGITRUN.findall(compact('\x01'.join(views), extended=True)))
        for idn in idents:
            hit = False
            for t in idn.text:
                if t in big:
                    hit = True
                    break
            if not hit:
                for t in idn.word:
                    first = t.split(' ', 1)[0]
                    if first in tokens and (' ' + t + ' ') in big:
                        hit = True
                        break
            if not hit:
                for t in idn.digits:
                    if t in digit_runs:
                        hit = True
                        break
            if not hit:
                for t in idn.jdigits:
                    if t in digit_runs_x:
                        hit = True
                        break
            if not hit:
                for t in idn.bytes:
                    if t in b:
                        hit = True
                        break
            if hit:
                found.add(idn.id)
        return found


_DIGITRUN = re.compile(r'\d{6,}')


# --------------------------------------------------------------------------
# DICOM walking

def _tag_label(tag, ds):
    from pydicom.datadict import keyword_for_tag
    g, e = tag >> 16, tag & 0xffff
    if g % 2 == 1 and e >= 0x1000:
        cr_tag = (g << 16) | (e >> 8)
        cr = None
        try:
            if cr_tag in ds._dict:
                v = ds._dict[cr_tag].value
                cr = v.decode('latin-1', 'replace') if isinstance(v, bytes) else str(v)
                cr = cr.strip(' \x00')
        except Exception:
            cr = None
        return '(%04X,%04X)[%s]' % (g, e, cr if cr else '?')
    kw = keyword_for_tag(tag)
    return kw if kw else '(%04X,%04X)' % (g, e)


def walk_dataset(ds, prefix=''):
    """Yield (path, raw_bytes, tag) for every element, recursing into SQ."""
    from pydicom.dataelem import RawDataElement
    from pydicom.datadict import dictionary_VR
    keys = sorted(ds._dict.keys())
    for tag in keys:
        raw = ds._dict.get(tag)
        label = prefix + _tag_label(int(tag), ds)
        vr = None
        rawbytes = None
        if isinstance(raw, RawDataElement):
            vr = raw.VR
            rawbytes = raw.value if isinstance(raw.value, (bytes, bytearray)) else None
            if vr is None:
                try:
                    vr = dictionary_VR(tag)
                except Exception:
                    vr = 'UN'
            is_sq = vr == 'SQ' or (raw.length == 0xFFFFFFFF and int(tag) != 0x7FE00010)
        else:
            vr = raw.VR
            is_sq = vr == 'SQ'
        if is_sq:
            try:
                elem = ds[tag]
                seq = elem.value
                if rawbytes:
                    yield label, rawbytes, int(tag)
                for i, item in enumerate(seq):
                    yield from walk_dataset(item, '%s[%d]>' % (label, i))
                continue
            except Exception:
                pass
        if rawbytes is None:
            try:
                elem = ds[tag]
                v = elem.value
                if isinstance(v, (bytes, bytearray)):
                    rawbytes = bytes(v)
                elif v is None:
                    rawbytes = b''
                else:
                    rawbytes = str(v).encode('utf-8', 'replace')
            except Exception:
                rawbytes = b''
        yield label, bytes(rawbytes), int(tag)


def encapsulated_fragments(b):
    """Split an encapsulated Pixel Data / item stream into fragment values."""
    frags = []
    i = 0
    while i + 8 <= len(b):
        g = int.from_bytes(b[i:i + 2], 'little')
        e = int.from_bytes(b[i + 2:i + 4], 'little')
        ln = int.from_bytes(b[i + 4:i + 8], 'little')
        if (g, e) == (0xFFFE, 0xE0DD):
            break
        if (g, e) != (0xFFFE, 0xE000) or ln == 0xFFFFFFFF:
            # try big endian item tags
            g = int.from_bytes(b[i:i + 2], 'big')
            e = int.from_bytes(b[i + 2:i + 4], 'big')
            ln = int.from_bytes(b[i + 4:i + 8], 'big')
            if (g, e) != (0xFFFE, 0xE000):
                return None
        frags.append(b[i + 8:i + 8 + ln])
        i += 8 + ln
    return frags


def dicom_blobs(path, data):
    """(label, bytes) pairs from parsing data as DICOM; [] if not DICOM."""
    import pydicom
    out = []
    ds = None
    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=True, defer_size=None)
        _ = ds.file_meta
        list(ds._dict.keys())
    except Exception as ex:
        return out, 'unparsed: %s' % ex.__class__.__name__
    try:
        if getattr(ds, 'preamble', None):
            out.append(('preamble', bytes(ds.preamble)))
        fm = getattr(ds, 'file_meta', None)
        if fm is not None:
            for lab, rb, tag in walk_dataset(fm, 'FileMeta>'):
                out.append((lab, rb))
        for lab, rb, tag in walk_dataset(ds):
            if tag == 0x7FE00010 and rb[:4] in (b'\xfe\xff\x00\xe0', b'\xff\xfe\xe0\x00'):
                frags = encapsulated_fragments(rb)
                if frags is not None:
                    for k, f in enumerate(frags):
                        out.append(('%s/fragment%d' % (lab, k), f))
                    out.append(('%s/fragments-concatenated' % lab, b''.join(frags[1:])))
                    continue
            out.append((lab, rb))
    except Exception as ex:
        return out, 'partial: %s' % ex
    return out, None


def file_level_blobs(path, data):
    """Blobs that do not need a DICOM parse: raw bytes, inflated dataset."""
    out = [('raw-bytes', data)]
    # deflated transfer syntax: inflate after the file meta group
    if b'1.2.840.10008.1.2.1.99' in data[:2048] and data[128:132] == b'DICM':
        i = 132
        end = None
        # walk explicit VR LE group 0002
        while i + 8 <= len(data):
            g = int.from_bytes(data[i:i + 2], 'little')
            if g != 2:
                end = i
                break
            vr = data[i + 4:i + 6]
            if vr in (b'OB', b'OW', b'OF', b'SQ', b'UT', b'UN', b'UC', b'UR', b'OV', b'OD', b'OL'):
                ln = int.from_bytes(data[i + 8:i + 12], 'little')
                i += 12 + ln
            else:
                ln = int.from_bytes(data[i + 6:i + 8], 'little')
                i += 8 + ln
        if end is not None:
            dec = _inflate(data[end:], -15) or _inflate(data[end:], 15)
            if dec:
                out.append(('inflated-dataset', dec))
    return out


# --------------------------------------------------------------------------
# location classes (for summaries)

_PRIV = re.compile(r'\(([0-9A-F]{4}),([0-9A-F]{4})\)\[')


def classify_location(where):
    """A short class for a found location (file path, element path, container)."""
    w = where
    if w == 'file path':
        return 'file-path'
    if w.startswith('raw bytes'):
        return 'raw-bytes-unparsed'
    if w == 'json strings' or w.startswith('inflated-dataset') and '>' not in w:
        return 'report-json' if w == 'json strings' else 'deflated-dataset'
    if w == 'preamble':
        return 'preamble'
    if w.startswith('FileMeta>'):
        return 'file-meta'
    if '/jpeg@' in w:
        seg = w.rsplit('/', 1)[1]
        return 'jpeg-' + seg
    if '/j2k@' in w or '/jp2-box' in w:
        return 'jpeg2000-marker'
    if '/pdf' in w:
        return 'pdf-stream' if 'pdf-stream' in w else 'pdf-object'
    if 'EncapsulatedDocument' in w:
        return 'encapsulated-document'
    if 'fragment' in w:
        return 'pixel-data-fragment'
    depth = w.count('>')
    priv = bool(_PRIV.search(w))
    if priv:
        kind = 'private'
        if '/zlib@' in w or '/gzip@' in w:
            kind += '-compressed'
        elif '/base64@' in w:
            kind += '-base64'
        return kind + ('-nested' if depth else '')
    if re.search(r'\((?:[0-9A-F]{3}[13579BDF]),', w):
        return 'private-orphan'
    leaf = w.rsplit('>', 1)[-1]
    if depth >= 3:
        return 'sequence-depth3+:' + leaf
    if depth:
        return 'sequence-nested:' + leaf
    return 'top-level:' + leaf


# --------------------------------------------------------------------------

def load_planted(p):
    with open(p, encoding='utf-8') as f:
        d = json.load(f)
    return d


def scan_file(path, rel, matcher, deep=True):
    """Return dict ident_id -> list of locations for one file."""
    with open(path, 'rb') as f:
        data = f.read()
    hits = {}

    def add(ids, where):
        for i in ids:
            lst = hits.setdefault(i, [])
            if where not in lst:
                lst.append(where)

    # 1) the path itself
    add(matcher.search_views(rel.encode('utf-8')), 'file path')
    # 2) file-level blobs and everything derived from them
    level1 = set()
    seen = set()
    for lab0, b0 in file_level_blobs(path, data):
        for lab, b in derive(b0, lab0, 0, seen):
            ids = matcher.search_views(b)
            if ids:
                level1 |= ids
                if lab != 'raw-bytes':
                    add(ids, lab)
    # JSON files: every string value
    if rel.endswith('.json') or data[:1] in (b'{', b'['):
        try:
            js = json.loads(data.decode('utf-8'))
            strs = []

            def rec(x):
                if isinstance(x, str):
                    strs.append(x)
                elif isinstance(x, dict):
                    for k, v in x.items():
                        strs.append(k)
                        rec(v)
                elif isinstance(x, list):
                    for v in x:
                        rec(v)
            rec(js)
            ids = matcher.search_views('\n'.join(strs).encode('utf-8'))
            level1 |= ids
            add(ids, 'json strings')
        except Exception:
            pass
    # 3) DICOM element attribution (all identifiers, elements are small)
    blobs, err = dicom_blobs(path, data) if deep else ([], 'not parsed')
    attributed = set()
    for lab0, b0 in blobs:
        for lab, b in derive(b0, lab0, 0, set()):
            ids = matcher.search_views(b)
            if ids:
                add(ids, lab)
                attributed |= ids
    # identifiers seen in raw bytes only
    raw_ids = matcher.search_views(data)
    for i in (raw_ids | level1) - attributed:
        if i in hits and any(not w.startswith('raw') for w in hits[i]):
            continue
        # locate byte offsets for a better message
        add({i}, 'raw bytes (outside any parsed element%s)' % (
            '; parse: ' + err if err else ''))
    return {i: most_specific(w) for i, w in hits.items()}


def most_specific(wheres):
    """Drop locations that merely contain a more specific one (a sequence
    holding the element, the whole inflated data set, the raw file)."""
    keep = []
    for w in wheres:
        if any(o != w and (o.startswith(w + '[') or o.startswith(w + '/')) for o in wheres):
            continue
        if w in ('inflated-dataset', 'raw-bytes') and any(
                o != w and not o.startswith('inflated-dataset') and not o.startswith('raw')
                and o != 'file path' for o in wheres):
            continue
        keep.append(w)
    return keep


def instance_fingerprint(path):
    try:
        import pydicom
        ds = pydicom.dcmread(path, force=True, stop_before_pixels=False)
        return (str(ds.get('SOPClassUID', '')), str(ds.get('InstanceNumber', '')),
                str(ds.get('Rows', '')), str(ds.get('Columns', '')))
    except Exception:
        return None


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description='scan a de-identified output tree for planted identifiers')
    ap.add_argument('out')
    ap.add_argument('--planted', default=None,
                    help='planted.json (default: OUT/../planted.json, then next to check.py)')
    ap.add_argument('--json', default=None, help='write a machine-readable result here')
    ap.add_argument('--quiet', action='store_true', help='only the summary lines')
    ap.add_argument('--input-mode', action='store_true',
                    help='scan the INPUT corpus (self-test: every identifier must be found)')
    a = ap.parse_args(argv)
    if not os.path.isdir(a.out):
        print('check.py: %s is not a directory' % a.out, file=sys.stderr)
        return 2
    planted_path = a.planted
    if planted_path is None:
        for cand in (os.path.join(os.path.dirname(os.path.abspath(a.out)), 'planted.json'),
                     os.path.join(HERE, 'planted.json')):
            if os.path.exists(cand):
                planted_path = cand
                break
    if planted_path is None:
        print('check.py: no planted.json', file=sys.stderr)
        return 2
    planted = load_planted(planted_path)
    idents = [Ident(d) for d in planted['identifiers']]
    byid = {i.id: i for i in idents}
    matcher = Matcher(idents)
    n = len(idents)

    files = []
    for root, dirs, fs in os.walk(a.out):
        dirs.sort()
        for f in sorted(fs):
            p = os.path.join(root, f)
            if os.path.isfile(p) and not os.path.islink(p):
                files.append(p)
    leaks = {}     # id -> list of (rel, where)
    quarantined_files = 0
    dicom_outputs = 0
    for p in files:
        rel = os.path.relpath(p, a.out)
        isq = rel.split(os.sep)[0] == 'quarantine'
        with open(p, 'rb') as f:
            head = f.read(132)
        is_dicom = head[128:132] == b'DICM' or rel.lower().endswith('.dcm')
        if is_dicom:
            dicom_outputs += 1
            if isq:
                quarantined_files += 1
        h = scan_file(p, rel, matcher)
        for i, wheres in h.items():
            for w in wheres:
                leaks.setdefault(i, []).append((rel, w, isq))

    n_inputs = len(planted.get('files', []))
    missing = max(0, n_inputs - dicom_outputs) if not a.input_mode else 0
    leaked = sorted(leaks, key=lambda i: (byid[i].category, i))
    released = [i for i in leaked if any(not q for (_, _, q) in leaks[i])]
    only_q = [i for i in leaked if i not in released]

    result = {'planted': n, 'leaked': len(leaked), 'leaked_released': len(released),
              'leaked_only_in_quarantine': len(only_q), 'files_quarantined': quarantined_files,
              'files_missing': missing, 'dicom_outputs': dicom_outputs, 'inputs': n_inputs,
              'leaks': []}
    if a.input_mode:
        notfound = [i.id for i in idents if i.id not in leaks]
        result['not_found_in_input'] = notfound
        # precision: identifiers found in files they were not planted in
        wrong = []
        for i in leaked:
            planted_files = set(byid[i].files)
            for rel, w, q in leaks[i]:
                if rel not in planted_files and not any(rel.startswith(pf + os.sep) for pf in planted_files):
                    wrong.append((i, rel, w))
        result['found_outside_planted_files'] = wrong
        # r2: planted files in which the identifier was not found
        missing_in = []
        for idn in idents:
            got = set(r for (r, w, q) in leaks.get(idn.id, []))
            for pf in idn.files:
                if pf not in got:
                    missing_in.append((idn.id, pf))
        result['not_found_in_planted_file'] = missing_in
    for i in leaked:
        idn = byid[i]
        entry = {'id': i, 'category': idn.category, 'planted_in': idn.files,
                 'found': [{'file': r, 'where': w, 'quarantine': q} for (r, w, q) in leaks[i]]}
        result['leaks'].append(entry)
        if not a.quiet and not a.input_mode:
            tag = 'LEAK' if i in released else 'LEAK(quarantine only)'
            print('%s %s [%s] planted in %s' % (tag, i, idn.category, ', '.join(idn.files[:3])))
            shown = 0
            for (r, w, q) in leaks[i]:
                if shown >= 6:
                    print('      ... %d more locations' % (len(leaks[i]) - shown))
                    break
                print('      found in %s%s : %s' % (r, ' (quarantine)' if q else '', w))
                shown += 1
    cats = {}
    for i in released:
        cats[byid[i].category] = cats.get(byid[i].category, 0) + 1
    catsq = {}
    for i in leaked:
        catsq[byid[i].category] = catsq.get(byid[i].category, 0) + 1
    result['leaked_categories_released'] = cats
    result['leaked_categories_all'] = catsq
    hid = {}
    for i in released:
        for h in sorted(set(classify_location(w) for (_, w, q) in leaks[i] if not q)):
            hid[h] = hid.get(h, 0) + 1
    result['leaked_hiding_places_released'] = hid
    if a.json:
        with open(a.json, 'w', encoding='utf-8') as f:
            json.dump(result, f, indent=1, ensure_ascii=False)
    if a.input_mode:
        print('INPUT SELF-TEST: found %d of %d planted identifiers; not found: %s; found outside their files: %d;'
              ' not found in a file they were planted in: %d'
              % (len(leaked), n, result['not_found_in_input'][:20], len(result['found_outside_planted_files']),
                 len(result['not_found_in_planted_file'])))
        for w in result['found_outside_planted_files'][:30]:
            print('   unexpected:', w)
        for w in result['not_found_in_planted_file'][:30]:
            print('   not found in planted file:', w)
        return 0 if (not result['not_found_in_input'] and not result['found_outside_planted_files']
                     and not result['not_found_in_planted_file']) else 1
    if hid and not a.quiet:
        print('where released leaks were found (identifiers per location class): ' + ', '.join('%s %d' % kv for kv in sorted(hid.items())))
    if cats:
        print('leaked categories (released): ' + ', '.join('%s %d' % kv for kv in sorted(cats.items())))
    if set(catsq) - set(cats) or any(catsq[c] != cats.get(c) for c in catsq):
        print('leaked categories (incl. quarantine): ' + ', '.join('%s %d' % kv for kv in sorted(catsq.items())))
    print('LEAKED-RELEASED %d of %d planted identifiers (outside quarantine/); %d more only in quarantine/'
          % (len(released), n, len(only_q)))
    print('LEAKED %d of %d planted identifiers (files quarantined: %d, files missing: %d)'
          % (len(leaked), n, quarantined_files, missing))
    return 1 if leaked else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
